import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {REPO} from './repo-root.js';

function newestMtime(dir: string): number {
	let newest = 0;
	for (const entry of fs.readdirSync(dir, {withFileTypes: true})) {
		const file = path.join(dir, entry.name);
		newest = Math.max(newest, entry.isDirectory() ? newestMtime(file) : fs.statSync(file).mtimeMs);
	}

	return newest;
}

/**
 * Make sure dist holds the sources as they are now, for tests that run the
 * built CLI or import dist in a child (bin/tracedeck.js, a producer
 * process): build when dist/cli.js is missing or the build is older than any
 * source file. The build is incremental (it rewrites only what changed), so
 * its time is its build-info file's, which every build that changes anything
 * writes; dist/cli.js's where there is none.
 */
export function ensureBuilt(): void {
	const built = path.join(REPO, 'dist/cli.js');
	const info = path.join(REPO, 'dist/.tsbuildinfo');
	const stamp = fs.existsSync(info) ? info : built;
	if (!fs.existsSync(built) || newestMtime(path.join(REPO, 'source')) > fs.statSync(stamp).mtimeMs) {
		// Other parts may be mid-change with type errors; tsc emits all the same.
		spawnSync(process.execPath, [path.join(REPO, 'node_modules/typescript/bin/tsc'), '-p', path.join(REPO, 'tsconfig.build.json')], {cwd: REPO, stdio: 'ignore'});
		// A source touched but not changed (a checkout) leaves the build info as it was: mark dist as built now.
		if (fs.existsSync(info)) {
			const now = new Date();
			fs.utimesSync(info, now, now);
		}
	}

	if (!fs.existsSync(built)) {
		throw new Error('dist/cli.js is missing after the build (npm run build)');
	}
}
