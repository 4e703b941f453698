import assert from 'node:assert/strict';
import {test} from 'node:test';
import {importsOf, layerViolations, readSources} from './import-rules.js';
import {REPO} from '../helpers/repo-root.js';

test('layers: every import in source/ follows tui/commands → store/live/interop/emit → core', () => {
	const violations = layerViolations(readSources(REPO));
	assert.deepEqual(
		violations.map(v => `${v.file} imports ${v.imports}: ${v.why}`),
		[],
	);
});

test('layers: a planted violation fails the check', () => {
	const planted = [
		{path: 'source/core/fold.ts', text: "import {RunIndex} from '../store/run-index.js';\nimport fs from 'node:fs';\n"},
		{path: 'source/store/run-index.ts', text: "import type {App} from '../tui/app.js';\n"},
		{path: 'source/live/simulate-run.ts', text: "import {Random} from '../../fixtures/random.js';\n"},
		{path: 'source/demo/generate.ts', text: "import {RunIndex} from '../store/run-index.js';\n"},
		{path: 'source/commands/runs-list.ts', text: "const ink = await import('ink');\n"},
		{path: 'source/interop/otlp-export.ts', text: "export {thing} from '../emit/emitter.js';\n"},
	];
	assert.deepEqual(
		layerViolations(planted).map(v => `${v.file}: ${v.why}`),
		[
			'source/core/fold.ts: core may not import store',
			'source/core/fold.ts: core imports nothing outside core (no packages, no node: modules)',
			'source/store/run-index.ts: store may not import tui',
			'source/live/simulate-run.ts: reaches outside source/ (the package ships source/ alone)',
			'source/demo/generate.ts: demo may not import store',
			'source/commands/runs-list.ts: ink belongs to tui',
			'source/interop/otlp-export.ts: interop may not import emit',
		],
	);
});

test('layers: the import reader sees static, type-only, side-effect, re-export and dynamic imports', () => {
	const text = ["import a from './a.js';", "import type {B} from './b.js';", "import './c.js';", "export {d} from './d.js';", "export * from './e.js';", "const f = await import('./f.js');", 'import {', '\tg,', "} from './g.js';"].join('\n');
	assert.deepEqual(importsOf(text), ['./a.js', './b.js', './c.js', './d.js', './e.js', './f.js', './g.js']);
});
