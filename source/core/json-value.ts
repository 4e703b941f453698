/** A value JSON can hold exactly: what events carry in `data` once cleaned. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;

/** A JSON object. */
export interface JsonObject {
	[key: string]: JsonValue;
}

/** A plain object of parsed JSON (or of anything): not null, not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
	return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The value as a plain object, or an empty one when it is not (tolerant reading of hand-made data). */
export function asRecord(value: unknown): Record<string, unknown> {
	return isRecord(value) ? value : {};
}
