import {z} from 'zod';

// The latest instant a Date can hold (year 275760), in microseconds: OTLP times beyond it cannot be shown.
const MAX_MICROS = 8_640_000_000_000_000_000n;

/**
 * Epoch microseconds as Jaeger and Zipkin write them (a JSON integer, or its
 * digits as a string), read exactly as a bigint.
 */
export const unixMicros = z
	.union([z.number().int().nonnegative(), z.string().regex(/^\d{1,19}$/, 'epoch microseconds')])
	.transform(value => BigInt(value))
	.refine(value => value <= MAX_MICROS, 'epoch microseconds before the year 275760');

/** OTLP/JSON's unix nanoseconds (a decimal string) for a time in microseconds: exact, no float on the way. */
export function microsToNanos(micros: bigint): string {
	return (micros * 1000n).toString();
}
