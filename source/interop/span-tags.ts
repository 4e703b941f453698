import type {OtlpAnyValue, OtlpKeyValue} from './otlp-attributes.js';

/** OTLP's span kinds by the lower-case names Jaeger's `span.kind` tag and Zipkin's `kind` use. */
export const SPAN_KIND_BY_NAME: Readonly<Record<string, number>> = {internal: 1, server: 2, client: 3, producer: 4, consumer: 5};

/** The text of a scalar attribute value; undefined for none, arrays and maps. */
export function anyValueText(value: OtlpAnyValue | undefined): string | undefined {
	if (value === undefined) {
		return undefined;
	}

	const scalar = value.stringValue ?? value.boolValue ?? value.intValue ?? value.doubleValue ?? value.bytesValue;
	return scalar === undefined ? undefined : String(scalar);
}

/** OTLP's status code for the `otel.status_code` tag that OpenTelemetry's Jaeger and Zipkin exporters write. */
export function statusCodeOfTag(text: string | undefined): number | undefined {
	switch (text?.toUpperCase()) {
		case 'UNSET':
		case 'STATUS_CODE_UNSET': {
			return 0;
		}

		case 'OK':
		case 'STATUS_CODE_OK': {
			return 1;
		}

		case 'ERROR':
		case 'STATUS_CODE_ERROR': {
			return 2;
		}

		default: {
			return undefined;
		}
	}
}

/**
 * A Jaeger or Zipkin span's tags on their way to OTLP attributes. The
 * converters take out the few that OTLP has fields of its own for (kind,
 * status, scope, trace state), as the Collector's translators do, so that
 * nothing is said twice; every other tag stays, in order.
 */
export class SpanTags {
	readonly list: OtlpKeyValue[] = [];

	push(key: string, value: OtlpAnyValue): void {
		this.list.push({key, value});
	}

	/** Add unless a tag already says it: what the span said beats what is derived. */
	pushAbsent(key: string, value: OtlpAnyValue): void {
		if (!this.list.some(kv => kv.key === key)) {
			this.push(key, value);
		}
	}

	/** The value of `key`, left in place; with repeats the last wins, as in an attribute map. */
	get(key: string): OtlpAnyValue | undefined {
		return this.list.findLast(kv => kv.key === key)?.value;
	}

	/** The value of `key`, taken out (every repeat of it). */
	take(key: string): OtlpAnyValue | undefined {
		const value = this.get(key);
		if (value !== undefined) {
			this.remove(key);
		}

		return value;
	}

	remove(key: string): void {
		for (let i = this.list.length - 1; i >= 0; i--) {
			if (this.list[i]!.key === key) {
				this.list.splice(i, 1);
			}
		}
	}
}
