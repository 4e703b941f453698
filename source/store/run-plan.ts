import fs from 'node:fs';
import path from 'node:path';
import type {Run} from '../core/run.js';
import {findRunArtifactDir} from './artifact-lookup.js';

/**
 * The run's resolved plan (secrets already redacted) from its artifacts, or
 * undefined when it has none. Looked up under today's folder name, then under
 * the name an older tracedeck gave it (findRunArtifactDir).
 */
export function readRunPlan(home: string, run: Run): unknown {
	const dir = findRunArtifactDir(home, run, 'plan.json');
	if (dir === undefined) {
		return undefined;
	}

	try {
		return JSON.parse(fs.readFileSync(path.join(dir, 'plan.json'), 'utf8')) as unknown;
	} catch {
		return undefined;
	}
}
