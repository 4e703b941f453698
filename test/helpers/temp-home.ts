import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const created: string[] = [];

/**
 * A fresh tracedeck home in the system temp folder (never the user's home),
 * removed when the test process exits: one exit hook however many homes a
 * property test makes, and still there for any after() hook that closes a
 * server or index in it.
 */
export function tempHome(prefix = 'tracedeck-test-'): string {
	if (created.length === 0) {
		process.once('exit', () => {
			for (const dir of created) {
				fs.rmSync(dir, {recursive: true, force: true});
			}
		});
	}

	const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
	created.push(dir);
	return dir;
}
