/** A value JSON can hold exactly: what events carry in `data` once cleaned. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;

/** A JSON object. */
export interface JsonObject {
	[key: string]: JsonValue;
}
