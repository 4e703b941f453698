import {createHash} from 'node:crypto';

function canonical(value: unknown): string {
	if (Array.isArray(value)) {
		return `[${value.map(item => canonical(item)).join(',')}]`;
	}

	if (value && typeof value === 'object') {
		const record = value as Record<string, unknown>;
		const keys = Object.keys(record).filter(key => record[key] !== undefined).sort();
		return `{${keys.map(key => `${JSON.stringify(key)}:${canonical(record[key])}`).join(',')}}`;
	}

	return JSON.stringify(value) ?? 'null';
}

/** Canonical JSON (sorted keys): the same event always serializes the same way. */
export function canonicalJson(value: unknown): string {
	return canonical(value);
}

/**
 * Identity of an event: ingesting the same event twice stores it once. The
 * body is hashed as serialized (native JSON.stringify copes with data nested
 * thousands deep, where a recursive canonicalizer would not).
 */
export function eventDigest(body: string): string {
	return createHash('sha1').update(body).digest('base64url');
}
