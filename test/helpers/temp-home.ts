import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after} from 'node:test';

/** A fresh tracedeck home in the system temp folder, removed when the test file ends. */
export function tempHome(prefix = 'tracedeck-test-'): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
	after(() => fs.rmSync(dir, {recursive: true, force: true}));
	return dir;
}
