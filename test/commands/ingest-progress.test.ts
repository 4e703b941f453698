import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {DrawThrottle, drawsProgress, fileProgress, formatBytes, renderFileProgress} from '../../source/commands/progress.js';

/** A terminal stand-in: what was written, and a clock the test moves. */
function fakeTerminal(isTTY = true, columns = 80) {
	const writes: string[] = [];
	let clock = 0;
	return {
		writes,
		stream: {
			isTTY,
			columns,
			write(chunk: string) {
				writes.push(chunk);
				return true;
			},
		},
		now: () => clock,
		advance(ms: number) {
			clock += ms;
		},
	};
}

const ESC = '\u001b';

describe('ingest progress', () => {
	it('draws on a terminal only: not on a pipe, in CI or under --json', () => {
		assert.equal(drawsProgress({isTTY: true}, {}), true);
		assert.equal(drawsProgress({isTTY: true}, {CI: 'false'}), true);
		assert.equal(drawsProgress({isTTY: false}, {}), false);
		assert.equal(drawsProgress({}, {}), false);
		assert.equal(drawsProgress({isTTY: true}, {CI: 'true'}), false);
		assert.equal(drawsProgress({isTTY: true}, {CI: '1'}), false);
		assert.equal(drawsProgress({isTTY: true}, {}, true), false);
	});

	it('says bytes of total, events, rate and ETA, within the width', () => {
		const line = renderFileProgress({file: 'big.jsonl', bytes: 5_000_000, totalBytes: 20_000_000, events: 12_345, elapsedMs: 2000, phase: 'reading'}, 100);
		assert.match(line, /^big\.jsonl {2}\[#####-{15}\] {2}25%/);
		assert.match(line, /5\.0 MB\/20 MB/);
		assert.match(line, /12,345 events/);
		assert.match(line, /2\.5 MB\/s/);
		// 8 s of reading in all, four times that storing, 2 s gone.
		assert.match(line, /ETA 38s/);
		for (const width of [100, 80, 60, 40]) {
			assert.ok([...renderFileProgress({file: `/a/very/long/path/${'x'.repeat(80)}.jsonl`, bytes: 1, totalBytes: 2, events: 1, elapsedMs: 1500, phase: 'reading'}, width)].length < width);
		}

		// Streamed into its transaction: storing goes along with the reading, so 8 s in all, 2 s gone.
		assert.match(renderFileProgress({file: 'big.jsonl', bytes: 5_000_000, totalBytes: 20_000_000, events: 12_345, elapsedMs: 2000, phase: 'reading', storedAlong: true}, 100), /ETA 6s/);
		assert.match(renderFileProgress({file: 'big.jsonl', bytes: 9, totalBytes: 9, events: 45_909, elapsedMs: 65_000, phase: 'storing'}, 100), /100% {2}storing 45,909 events in one transaction…$/);
		assert.equal(formatBytes(999), '999 B');
		assert.equal(formatBytes(1_500_000_000), '1.5 GB');
	});

	it('throttles: nothing in the first second, then at most one draw per 100 ms', () => {
		const throttle = new DrawThrottle(0);
		assert.equal(throttle.shouldDraw(500), false);
		assert.equal(throttle.drew, false);
		assert.equal(throttle.shouldDraw(1000), true);
		assert.equal(throttle.shouldDraw(1050), false);
		assert.equal(throttle.shouldDraw(1100), true);
		assert.equal(throttle.drew, true);
	});

	it('redraws in place on a terminal and clears the line at the end', () => {
		const term = fakeTerminal();
		const progress = fileProgress('big.jsonl', {stream: term.stream, env: {}, now: term.now});
		for (let i = 1; i <= 30; i++) {
			term.advance(50);
			progress.read(i * 1000, 30_000, i * 10);
		}

		progress.storing(300);
		progress.done();
		// 1.5 s of reading, drawn from the first second on every other call (100 ms apart), then the storing line, then a clear.
		const draws = term.writes.filter(chunk => chunk.includes('%'));
		assert.equal(draws.length, 6 + 1);
		assert.ok(term.writes.every(chunk => chunk.startsWith(`\r${ESC}[2K`)));
		assert.match(draws.at(-1)!, /storing 300 events/);
		assert.equal(term.writes.at(-1), `\r${ESC}[2K`);
	});

	it('draws nothing for quick work, and nothing at all on a non-terminal', () => {
		const quick = fakeTerminal();
		const progress = fileProgress('small.jsonl', {stream: quick.stream, env: {}, now: quick.now});
		progress.read(10, 100, 1);
		quick.advance(100);
		progress.storing(1);
		progress.done();
		assert.deepEqual(quick.writes, []);

		const pipe = fakeTerminal(false);
		const piped = fileProgress('big.jsonl', {stream: pipe.stream, env: {}, now: pipe.now});
		for (let i = 0; i < 50; i++) {
			pipe.advance(100);
			piped.read(i, 50, i);
		}

		piped.storing(50);
		piped.done();
		assert.deepEqual(pipe.writes, []);
	});
});
