import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {parseRetryAfter, retryDelayMs} from '../../source/emit/retry-delay.js';

describe('retryDelayMs', () => {
	it('doubles from the base up to the cap, with a jitter of half to all of it', () => {
		assert.deepEqual(
			[0, 1, 2, 3].map(n => retryDelayMs(n, undefined, () => 0)),
			[100, 200, 400, 800],
		);
		assert.equal(
			retryDelayMs(2, undefined, () => 0.999_999),
			800,
		);
		assert.equal(
			retryDelayMs(50, undefined, () => 0),
			15_000,
		);
		assert.equal(
			retryDelayMs(50, undefined, () => 0.999_999),
			30_000,
		);
	});

	it("waits at least the server's Retry-After, plus up to a tenth of it", () => {
		assert.equal(
			retryDelayMs(0, 3000, () => 0),
			3000,
		);
		assert.equal(
			retryDelayMs(0, 3000, () => 0.5),
			3150,
		);
		// Even when the backoff alone would be longer or shorter: the server said when.
		assert.equal(
			retryDelayMs(20, 1000, () => 0),
			1000,
		);
	});

	it('asks again after five minutes at most, whatever Retry-After says', () => {
		assert.equal(
			retryDelayMs(0, 86_400_000, () => 0),
			300_000,
		);
	});
});

describe('parseRetryAfter', () => {
	const now = Date.parse('2026-01-01T00:00:00Z');
	it('reads seconds and HTTP-dates', () => {
		assert.equal(parseRetryAfter('5', now), 5000);
		assert.equal(parseRetryAfter(' 0 ', now), 0);
		assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now), 30_000);
		assert.equal(parseRetryAfter('Wed, 31 Dec 2025 23:59:00 GMT', now), 0);
	});

	it('is undefined when absent or unreadable', () => {
		assert.equal(parseRetryAfter(null, now), undefined);
		assert.equal(parseRetryAfter('', now), undefined);
		assert.equal(parseRetryAfter('soon', now), undefined);
		assert.equal(parseRetryAfter('-1', now), undefined);
	});
});
