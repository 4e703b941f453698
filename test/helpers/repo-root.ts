import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

/**
 * The repository's root, whether a test runs from its source (node --import
 * tsx --test test/…) or compiled into .test-build/ (npm test, see
 * tsconfig.test.json): the nearest directory above this file that holds
 * tsconfig.json, which the compiled tree has none of. Files a test reads or
 * runs (bin/, alerts/, sample files, children in .mjs) are the repository's.
 */
function rootAbove(dir: string): string {
	for (let at = dir; ; at = path.dirname(at)) {
		if (fs.existsSync(path.join(at, 'tsconfig.json'))) {
			return at;
		}

		if (path.dirname(at) === at) {
			throw new Error(`no tsconfig.json above ${dir}: the tests run inside the repository`);
		}
	}
}

export const REPO = rootAbove(path.dirname(fileURLToPath(import.meta.url)));

/** Whether this is the compiled tree (.test-build/), where the sources are JavaScript next to their tests. */
export const COMPILED = import.meta.url.endsWith('.js');
