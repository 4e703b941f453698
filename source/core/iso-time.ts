/**
 * ISO 8601 times with more than millisecond digits. Date.parse keeps only
 * milliseconds, and OTLP sends nanoseconds: a 0.9 ms call must not fold to
 * 0 or 1 ms. Epoch milliseconds are doubles; near the year 2026 (~1.8e12 ms)
 * a double's step is 2^-12 ms, about 0.24 µs, so microseconds survive and
 * nanoseconds are rounded to a quarter microsecond.
 */
const FRACTION = /^(.*T\d{2}:\d{2}:\d{2})\.(\d+)(.*)$/;

function split(text: string): {millisecondText: string; rest: string} {
	const match = FRACTION.exec(text);
	if (!match) {
		return {millisecondText: text, rest: ''};
	}

	const digits = match[2]!;
	return {millisecondText: `${match[1]!}.${digits.slice(0, 3).padEnd(3, '0')}${match[3]!}`, rest: digits.slice(3).replace(/0+$/, '')};
}

// What every stored event's timestamp is (canonicalIso's form with nothing below the millisecond): Date.parse reads it whole.
const CANONICAL_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Epoch milliseconds of an ISO 8601 time, fraction below the millisecond included; NaN when not a date. */
export function isoToMs(text: string): number {
	if (text.length === 24 && CANONICAL_MS.test(text)) {
		return Date.parse(text);
	}

	const {millisecondText, rest} = split(text);
	const whole = Date.parse(millisecondText);
	// Offsets are whole minutes, so the digits below the millisecond are the same in UTC.
	return rest === '' ? whole : whole + Number(`0.${rest}`);
}

/** The same instant as UTC "…T12:00:00.123Z", with the digits below the millisecond kept (trailing zeros dropped). */
export function canonicalIso(text: string): string {
	const {millisecondText, rest} = split(text);
	return new Date(Date.parse(millisecondText)).toISOString().replace(/Z$/, `${rest}Z`);
}

/** ISO 8601 UTC from unix nanoseconds, exact (integer arithmetic, no float rounding). */
export function isoFromNanos(nanos: bigint): string {
	const ms = nanos / 1_000_000n;
	const below = (nanos % 1_000_000n).toString().padStart(6, '0').replace(/0+$/, '');
	return new Date(Number(ms)).toISOString().replace(/Z$/, `${below}Z`);
}

/** Unix nanoseconds of an ISO 8601 time, exact: the inverse of isoFromNanos (digits past the ninth are dropped). */
export function nanosFromIso(text: string): bigint {
	const {millisecondText, rest} = split(text);
	return BigInt(Date.parse(millisecondText)) * 1_000_000n + BigInt(rest.padEnd(6, '0').slice(0, 6));
}

/** ISO 8601 UTC from (possibly fractional) epoch milliseconds, to the microsecond. */
export function isoFromMs(ms: number): string {
	const whole = Math.floor(ms);
	const micros = Math.round((ms - whole) * 1000);
	if (micros === 1000) {
		return new Date(whole + 1).toISOString();
	}

	const below = String(micros).padStart(3, '0').replace(/0+$/, '');
	return new Date(whole).toISOString().replace(/Z$/, `${below}Z`);
}
