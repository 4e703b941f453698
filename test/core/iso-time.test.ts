import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import fc from 'fast-check';
import {formatDuration} from '../../source/core/format-duration.js';
import {canonicalIso, isoFromMs, isoFromNanos, isoToMs} from '../../source/core/iso-time.js';

describe('ISO times below the millisecond', () => {
	it('reads the digits Date.parse drops', () => {
		const whole = Date.parse('2026-03-02T10:00:00.123Z');
		assert.equal(isoToMs('2026-03-02T10:00:00.123Z'), whole);
		// 0.456789 ms more; compared in nanoseconds from the whole millisecond (a double holds a quarter µs here).
		const below = Math.round((isoToMs('2026-03-02T10:00:00.123456789Z') - whole) * 1e6);
		assert.ok(Math.abs(below - 456_789) <= 122, `${below} ns: within half a double step (2^-12 ms, 244 ns) of 456789`);
		assert.equal(Math.round((isoToMs('2026-03-02T10:00:00.1234Z') - whole) * 1000), 400);
		// An offset moves whole minutes; the fraction is the same.
		assert.equal(Math.round((isoToMs('2026-03-02T11:00:00.123500+01:00') - whole) * 1000), 500);
		assert.equal(isoToMs('2026-03-02T10:00:00Z'), Date.parse('2026-03-02T10:00:00Z'));
		assert.ok(Number.isNaN(isoToMs('2026-13-02T10:00:00.123456Z')));
	});

	it('writes UTC with the milliseconds and only the digits below them that are not zero', () => {
		assert.equal(canonicalIso('2026-03-02T11:00:00.1234500+01:00'), '2026-03-02T10:00:00.12345Z');
		assert.equal(canonicalIso('2026-03-02T10:00:00.5Z'), '2026-03-02T10:00:00.500Z');
		assert.equal(canonicalIso('2026-03-02T10:00:00.500000000Z'), '2026-03-02T10:00:00.500Z');
		assert.equal(isoFromNanos(1_772_445_600_123_456_789n), '2026-03-02T10:00:00.123456789Z');
		assert.equal(isoFromNanos(1_772_445_600_123_000_000n), '2026-03-02T10:00:00.123Z');
		assert.equal(isoFromNanos(1_772_445_600_000_000_900n), '2026-03-02T10:00:00.0000009Z');
		assert.equal(isoFromMs(1_772_445_600_123.5), '2026-03-02T10:00:00.1235Z');
		assert.equal(isoFromMs(1_772_445_600_123 + 0.9996), '2026-03-02T10:00:00.124Z');
	});

	it('property: microseconds survive nanoseconds → ISO → epoch ms, from 1970 to 2100', () => {
		// Epoch ms below 2^42 (the year 2109) are doubles with a step of at most 2^-10 ms (977 ns), so
		// the value read is within half of it, 489 ns, of the exact one: the microsecond is kept.
		// Up to 2039 (2^41 ms) the step is 2^-12 ms and the error at most 122 ns.
		const max = 4_102_444_800_000_000_000n; // 2100-01-01 in ns
		fc.assert(
			fc.property(fc.bigInt({min: 0n, max}), ns => {
				const ms = isoToMs(isoFromNanos(ns));
				const whole = Number(ns / 1_000_000n);
				// ms - whole is exact (the two are within a factor of two), so this measures the fold's error alone.
				const errorNs = Math.abs((ms - whole) * 1e6 - Number(ns % 1_000_000n));
				assert.ok(errorNs <= (whole < 2 ** 41 ? 122.1 : 488.3), `${ns}: off by ${errorNs} ns`);
				assert.equal(canonicalIso(isoFromNanos(ns)), isoFromNanos(ns));
			}),
			{numRuns: 2000},
		);
	});
});

describe('formatDuration with fractional milliseconds', () => {
	it('shows µs below a millisecond, a tenth of a millisecond below 10 ms, whole ms after', () => {
		assert.equal(formatDuration(0.9), '900µs');
		assert.equal(formatDuration(0.0004), '0µs');
		assert.equal(formatDuration(0.9996), '1ms');
		assert.equal(formatDuration(0), '0ms');
		assert.equal(formatDuration(2.54), '2.5ms');
		assert.equal(formatDuration(9), '9ms');
		assert.equal(formatDuration(9.96), '10ms');
		assert.equal(formatDuration(850.4), '850ms');
		assert.equal(formatDuration(999.6), '1.0s');
		assert.equal(formatDuration(-0.25), '-250µs');
		assert.equal(formatDuration(4200), '4.2s');
	});
});

describe('isoToMs fast path', () => {
	// The general reading, as it was before the fast path: the fast path must give the same double.
	const general = (text: string): number => {
		const match = /^(.*T\d{2}:\d{2}:\d{2})\.(\d+)(.*)$/.exec(text);
		if (!match) {
			return Date.parse(text);
		}

		const rest = match[2]!.slice(3).replace(/0+$/, '');
		const whole = Date.parse(`${match[1]!}.${match[2]!.slice(0, 3).padEnd(3, '0')}${match[3]!}`);
		return rest === '' ? whole : whole + Number(`0.${rest}`);
	};

	it('property: the same number as the general reading for 3 to 9 fraction digits, seconds shared or not', () => {
		const max = 4_102_444_800_000_000_000n;
		fc.assert(
			fc.property(fc.array(fc.tuple(fc.bigInt({min: 0n, max}), fc.integer({min: 3, max: 9})), {minLength: 1, maxLength: 6}), list => {
				for (const [ns, width] of list) {
					const iso = isoFromNanos(ns);
					const fraction = /\.(\d+)Z$/.exec(iso)?.[1] ?? '';
					const text = `${iso.slice(0, 19)}.${fraction.padEnd(width, '0').slice(0, Math.max(width, fraction.length))}Z`;
					assert.equal(isoToMs(text), general(text), text);
				}
			}),
			{numRuns: 1000},
		);
	});

	it('leaves other forms to the general reading', () => {
		for (const text of ['2026-13-02T10:00:00.123456Z', '2026-02-30T10:00:00.123456789Z', '2026-03-02T10:00:00.12345x789Z', '2026-03-02T10:00:00.1234567890Z', '2026-03-02 10:00:00.123456Z', '2026-03-02T10:00:00.12Z', '+02026-03-02T10:00:00.123Z']) {
			const a = isoToMs(text);
			const b = general(text);
			assert.ok(Object.is(a, b), `${text}: ${a} vs ${b}`);
		}

		// A second read fast, then a text that differs after it.
		assert.equal(isoToMs('2026-03-02T10:00:00.123456Z'), general('2026-03-02T10:00:00.123456Z'));
		assert.equal(isoToMs('2026-03-02T10:00:00.1234a6Z'), general('2026-03-02T10:00:00.1234a6Z'));
	});
});
