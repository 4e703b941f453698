import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import {environment, formatSummary, judge, toResult, writeResults, type Figure, type ResultsDocument} from '../../bench/report.js';
import {tempHome} from '../helpers/temp-home.js';

/** The bench's verdicts decide its exit code: pinned here without timing anything. */
function figure(overrides: Partial<Figure>): Figure {
	return {id: 'g.x', label: 'x', unit: 'ms', value: 2, baseline: 1, baselineLabel: 'bare', target: {kind: 'ratio', op: '<=', limit: 2}, ...overrides};
}

describe('bench report', () => {
	it('judges ratio and absolute targets, both ways', () => {
		assert.equal(judge(figure({})).verdict, 'PASS');
		assert.equal(judge(figure({value: 2.1})).verdict, 'MISS');
		assert.equal(judge(figure({target: {kind: 'abs', op: '<=', limit: 1.5}})).verdict, 'MISS');
		assert.equal(judge(figure({target: {kind: 'ratio', op: '>=', limit: 0.5}})).verdict, 'PASS');
		assert.equal(judge(figure({target: {kind: 'none'}})).verdict, 'INFO');
		assert.equal(judge(figure({value: null})).verdict, 'SKIP');
	});

	it('misses a ratio target that has no baseline to compare with', () => {
		const judged = judge(figure({baseline: null, note: 'sizes'}));
		assert.equal(judged.verdict, 'MISS');
		assert.match(judged.note ?? '', /^sizes; no baseline/);
	});

	it('counts the verdicts and names each MISS and each figure without a target', () => {
		const summary = formatSummary([judge(figure({id: 'a.ok'})), judge(figure({id: 'a.slow', value: 3})), judge(figure({id: 'a.info', target: {kind: 'none'}}))]);
		assert.match(summary, /^verdicts: 1 PASS, 1 MISS, 1 INFO \(no target\), 0 SKIP$/m);
		assert.match(summary, /MISS a\.slow: 3\.00 ms, target ≤ 2× \(ratio 3\.00×\)/);
		assert.match(summary, /INFO a\.info: no target/);
	});

	it('keeps the figures and group times of groups not run this time, and counts all verdicts', () => {
		const file = path.join(tempHome('tracedeck-bench-report-'), 'results.json');
		const write = (group: string, value: number, at: string) =>
			writeResults(file, {measured_at: at, environment: environment(true), elapsed_ms: 1, groups_measured: [group], groups: {[group]: {elapsed_ms: 5, measured_at: at, quick: true, load_1m_at_start: 0}}, figures: [toResult(group, judge(figure({id: `${group}.x`, value})), at)]}, ['emit', 'live']);
		write('live', 3, 'T1');
		write('emit', 1, 'T2');
		const document = JSON.parse(fs.readFileSync(file, 'utf8')) as ResultsDocument;
		assert.deepEqual(
			document.figures.map(f => [f.id, f.verdict, f.measured_at, f.ratio, f.target]),
			[
				['emit.x', 'PASS', 'T2', 1, {kind: 'ratio', op: '<=', limit: 2}],
				['live.x', 'MISS', 'T1', 3, {kind: 'ratio', op: '<=', limit: 2}],
			],
		);
		assert.deepEqual(Object.keys(document.groups), ['emit', 'live']);
		assert.equal(document.groups['live']!.measured_at, 'T1');
		assert.deepEqual(document.verdicts, {PASS: 1, MISS: 1, INFO: 0, SKIP: 0});
	});
});
