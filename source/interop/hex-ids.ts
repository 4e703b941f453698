import {z} from 'zod';

const HEX = /^[0-9a-fA-F]+$/;

/**
 * A Jaeger or Zipkin id as OTLP writes it: lower-case hex, 32 digits for a
 * trace id and 16 for a span id. Both print a 64-bit trace id as 16 digits
 * and older Jaeger drops leading zeros; padding on the left is what Jaeger and
 * the Collector do when they convert to OTLP (the high 64 bits are zero).
 * Undefined when `text` is not hex or longer than `digits`.
 */
export function paddedHexId(text: string, digits: 16 | 32): string | undefined {
	if (text.length === 0 || text.length > digits || !HEX.test(text)) {
		return undefined;
	}

	return text.toLowerCase().padStart(digits, '0');
}

/**
 * A trace or span id from a Jaeger or Zipkin file: hex made OTLP's shape
 * (see paddedHexId); any other id, which hand-made and test traces use
 * ("span-1"), is kept as it is, as ingest keeps TraceEvent ids.
 */
export function foreignIdSchema(digits: 16 | 32): z.ZodType<string, string> {
	return z
		.string()
		.min(1)
		.max(512)
		.transform(text => paddedHexId(text, digits) ?? text);
}

export function isZeroId(id: string): boolean {
	return /^0+$/.test(id);
}
