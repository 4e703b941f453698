import {isRecord} from '../core/json-value.js';
import {OtlpParseError} from './otlp-to-events.js';

/**
 * `value[key]` as a list, for walking an OTLP/JSON request by hand (its
 * signals' resource → scope → item lists); absent or null is empty, since
 * OTLP/JSON leaves defaults out. @throws OtlpParseError naming `where`.
 */
export function listAt(value: unknown, key: string, where: string): unknown[] {
	if (!isRecord(value)) {
		throw new OtlpParseError(`${where}: expected an object`);
	}

	const list = value[key];
	if (list === undefined || list === null) {
		return [];
	}

	if (!Array.isArray(list)) {
		throw new OtlpParseError(`${where}.${key}: expected an array`);
	}

	return list;
}
