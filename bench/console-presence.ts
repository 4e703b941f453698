import fs from 'node:fs';
import path from 'node:path';
import {REPO} from './workspace.js';

/**
 * The console is written concurrently by another engineer. Its figures run
 * only when the entry exists in source and in the compiled dist that
 * bin/tracedeck.js loads; otherwise the reason, for the table.
 */
export function consoleMissing(): string | undefined {
	const source = ['start-console.ts', 'start-console.tsx'].some(file => fs.existsSync(path.join(REPO, 'source/tui', file)));
	if (!source) {
		return 'skipped: console not present yet (source/tui/start-console.ts); re-run with BENCH_ONLY=console,trace-screen,rss once it lands';
	}

	if (!fs.existsSync(path.join(REPO, 'dist/tui/start-console.js'))) {
		return 'skipped: console not built (dist/tui/start-console.js); run npm run build';
	}

	return undefined;
}
