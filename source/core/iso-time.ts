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

const WHOLE_SECOND = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;
const DOT = 46;
const ZED = 90;
const ZERO = 48;

/*
 * The last whole second read, "YYYY-MM-DDTHH:MM:SS", and its epoch ms: a
 * batch's times share their seconds, so most reads take them from here.
 */
let lastSecond = '';
let lastSecondMs = Number.NaN;

/**
 * "YYYY-MM-DDTHH:MM:SS.fff…Z" (3 to 9 fraction digits, what OTLP's
 * nanoseconds and every stored event give) read without a regular
 * expression or a string per call; undefined for any other form. The same
 * number as the general path: the second's ms plus the milliseconds is the
 * integer Date.parse gives for the whole, and r / 10^k is the double
 * nearest the fraction, as Number("0.…") is (both are correctly rounded).
 */
function fastIsoToMs(text: string): number | undefined {
	const n = text.length;
	if (n < 24 || n > 30 || text.charCodeAt(19) !== DOT || text.charCodeAt(n - 1) !== ZED) {
		return undefined;
	}

	let ms = 0;
	let rest = 0;
	let digits = 0;
	for (let i = 20; i < n - 1; i++) {
		const digit = text.charCodeAt(i) - ZERO;
		if (digit < 0 || digit > 9) {
			return undefined;
		}

		if (i < 23) {
			ms = ms * 10 + digit;
		} else {
			rest = rest * 10 + digit;
			digits++;
		}
	}

	if (lastSecond.length === 0 || !text.startsWith(lastSecond)) {
		const second = text.slice(0, 19);
		if (!WHOLE_SECOND.test(second)) {
			return undefined;
		}

		lastSecond = second;
		lastSecondMs = Date.parse(`${second}Z`);
	}

	while (digits > 0 && rest % 10 === 0) {
		rest /= 10;
		digits--;
	}

	return digits === 0 ? lastSecondMs + ms : lastSecondMs + ms + rest / 10 ** digits;
}

/** Epoch milliseconds of an ISO 8601 time, fraction below the millisecond included; NaN when not a date. */
export function isoToMs(text: string): number {
	const fast = fastIsoToMs(text);
	if (fast !== undefined) {
		return fast;
	}

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
