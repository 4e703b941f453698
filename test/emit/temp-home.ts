import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type {TestContext} from 'node:test';

/** A fresh tracedeck home under the system temp folder, removed after the test (never the user's home). */
export function tempHome(t: TestContext, prefix = 'tracedeck-emit-'): string {
	const home = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
	t.after(() => {
		fs.rmSync(home, {recursive: true, force: true});
	});
	return home;
}
