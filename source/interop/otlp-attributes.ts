/** An OTLP AnyValue in its JSON encoding. */
export interface OtlpAnyValue {
	stringValue?: string;
	boolValue?: boolean;
	intValue?: string | number;
	doubleValue?: number;
	arrayValue?: {values?: OtlpAnyValue[]};
	kvlistValue?: {values?: OtlpKeyValue[]};
	bytesValue?: string;
}

export interface OtlpKeyValue {
	key: string;
	value?: OtlpAnyValue;
}

/** Decode an AnyValue to plain JSON. Deep nesting is walked with an explicit depth bound. */
export function fromAnyValue(value: OtlpAnyValue | undefined, depth = 0): unknown {
	if (!value || depth > 64) {
		return null;
	}

	if (value.stringValue !== undefined) {
		return value.stringValue;
	}

	if (value.boolValue !== undefined) {
		return value.boolValue;
	}

	if (value.intValue !== undefined) {
		const n = Number(value.intValue);
		return Number.isSafeInteger(n) ? n : String(value.intValue);
	}

	if (value.doubleValue !== undefined) {
		return value.doubleValue;
	}

	if (value.arrayValue !== undefined) {
		return (value.arrayValue.values ?? []).map(item => fromAnyValue(item, depth + 1));
	}

	if (value.kvlistValue !== undefined) {
		return fromKeyValues(value.kvlistValue.values ?? [], depth + 1);
	}

	if (value.bytesValue !== undefined) {
		return value.bytesValue;
	}

	return null;
}

export function fromKeyValues(list: readonly OtlpKeyValue[], depth = 0): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const kv of list) {
		// defineProperty: a key "__proto__" must become a member, not the prototype. Any other key
		// assigned makes the same own, enumerable, writable member, for a fraction of the cost.
		if (kv.key === '__proto__') {
			Object.defineProperty(out, kv.key, {value: fromAnyValue(kv.value, depth), enumerable: true, writable: true, configurable: true});
		} else {
			out[kv.key] = fromAnyValue(kv.value, depth);
		}
	}

	return out;
}
