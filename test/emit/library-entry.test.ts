import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {REPO} from '../helpers/repo-root.js';

const SOURCE = path.join(REPO, 'source');
const UI_PACKAGES = /^(ink|react|@inkjs\/ui|ink-[\w-]+|react-[\w-]+)(\/|$)/;

/** Every module the entry loads (statically, or also by import()), followed through our own files. */
function importGraph(entry: string, dynamic: boolean): {files: Set<string>; packages: Set<string>} {
	const files = new Set<string>();
	const packages = new Set<string>();
	const queue = [entry];
	while (queue.length > 0) {
		const file = queue.pop()!;
		if (files.has(file)) {
			continue;
		}

		files.add(file);
		const text = fs.readFileSync(file, 'utf8');
		// Type-only imports are erased at run time: they load nothing.
		const specifiers = [...text.matchAll(/^(?:import|export)\s+(type\s+)?[^'"]*?from\s+'([^']+)'|^import\s+'([^']+)'/gm)].filter(match => match[1] === undefined).map(match => (match[2] ?? match[3])!);
		// A CommonJS package loaded through createRequire (open-database.ts: better-sqlite3) loads as surely as an import.
		specifiers.push(...[...text.matchAll(/createRequire\(import\.meta\.url\)\(\s*'([^']+)'\s*\)/g)].map(match => match[1]!));
		if (dynamic) {
			specifiers.push(...[...text.matchAll(/import\s*\(\s*'([^']+)'/g)].map(match => match[1]!));
		}

		for (const specifier of specifiers) {
			if (specifier.startsWith('.')) {
				queue.push(path.resolve(path.dirname(file), specifier).replace(/\.js$/, fs.existsSync(path.resolve(path.dirname(file), specifier).replace(/\.js$/, '.tsx')) ? '.tsx' : '.ts'));
			} else {
				packages.add(specifier);
			}
		}
	}

	return {files, packages};
}

test('the library entry never loads the terminal UI', () => {
	const {files, packages} = importGraph(path.join(SOURCE, 'index.ts'), true);
	assert.ok(packages.has('better-sqlite3') && files.size > 10, 'the graph is followed');
	const ui = [...packages].filter(name => UI_PACKAGES.test(name));
	assert.deepEqual(ui, [], 'no ink or react');
	const tuiFiles = [...files].filter(file => file.includes(`${path.sep}tui${path.sep}`) || file.includes(`${path.sep}commands${path.sep}`));
	assert.deepEqual(tuiFiles, []);
	assert.equal(importGraph(path.join(SOURCE, 'index.ts'), false).packages.has('ioredis'), false, 'ioredis is loaded only when Redis is configured');
});

test('the library entry exports the emitter API', async () => {
	const api = await import('../../source/index.js');
	for (const name of ['TraceEmitter', 'TraceContext', 'RunContext', 'EventWriter', 'redactData', 'newTraceId', 'newSpanId', 'activeSpan'] as const) {
		assert.equal(typeof api[name], 'function', name);
	}
});
