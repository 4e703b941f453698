import fs from 'node:fs';
import path from 'node:path';
import type {Run} from '../core/run.js';
import {runArtifactDir} from './artifact-dir.js';

/** The run's resolved plan (secrets already redacted) from its artifacts, or undefined when it has none. */
export function readRunPlan(home: string, run: Run): unknown {
	const file = path.join(runArtifactDir(home, run), 'plan.json');
	try {
		return JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
	} catch {
		return undefined;
	}
}
