// npm test's last step: node's test runner over the tests tsconfig.test.json
// compiled into .test-build/, with no loader (see that file for why).
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BUILT = path.join(REPO, '.test-build');
const TREES = ['source', 'test', 'fixtures', 'bench'];

/** The compiled files under `dir`, relative to BUILT. */
function compiled(dir) {
	const out = [];
	for (const entry of fs.readdirSync(path.join(BUILT, dir), {withFileTypes: true})) {
		const file = path.join(dir, entry.name);
		if (entry.isDirectory()) {
			out.push(...compiled(file));
		} else if (entry.name.endsWith('.js')) {
			out.push(file);
		}
	}

	return out;
}

// tsc never deletes: the output of a source that is gone (a test renamed or removed) would still run.
const kept = [];
for (const file of TREES.filter(tree => fs.existsSync(path.join(BUILT, tree))).flatMap(tree => compiled(tree))) {
	const source = path.join(REPO, file.replace(/\.js$/, ''));
	if (fs.existsSync(`${source}.ts`) || fs.existsSync(`${source}.tsx`)) {
		kept.push(file);
	} else {
		fs.rmSync(path.join(BUILT, file));
	}
}

// source/cli.ts reads its version from ../package.json, and meow finds a package.json above the code it serves.
const manifest = path.join(BUILT, 'package.json');
if (!fs.existsSync(manifest)) {
	fs.symlinkSync('../package.json', manifest);
}

const tests = kept
	.filter(file => file.startsWith(`test${path.sep}`) && file.endsWith('.test.js'))
	.sort()
	.map(file => path.join(BUILT, file));
// Three at once on two cores: many tests wait on a child process, a server or a terminal, and a third file fills those gaps.
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=3', ...tests], {cwd: REPO, stdio: 'inherit'});
process.exitCode = result.status ?? 1;
