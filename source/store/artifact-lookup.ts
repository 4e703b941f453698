import fs from 'node:fs';
import path from 'node:path';
import type {Run} from '../core/run.js';
import {legacyRunArtifactDir, runArtifactDir} from './artifact-dir.js';

export type ArtifactRun = Pick<Run, 'run_id' | 'env' | 'target' | 'plan_hash'>;

/** The run summary.json in `dir` names: a string, null when it names none, undefined when there is no readable summary. */
function summaryRunId(dir: string): string | null | undefined {
	try {
		const summary = JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')) as {run_id?: unknown};
		return typeof summary.run_id === 'string' ? summary.run_id : null;
	} catch {
		return undefined;
	}
}

/**
 * Is a folder this run's? A folder under today's naming is, unless its
 * summary.json names another run. A folder under the old naming only when its
 * summary.json names this run: old names were shared ("a/b" and "a_b" both
 * "a_b", which is also today's name of run "a_b"), so without a summary it may
 * be another run's.
 */
export function holdsRun(dir: string, run: Pick<Run, 'run_id'>, naming: 'current' | 'legacy'): boolean {
	const named = summaryRunId(dir);
	return naming === 'current' ? named === undefined || named === null || named === run.run_id : named === run.run_id;
}

/**
 * The run's artifact folder holding `file` (e.g. plan.json): the folder under
 * today's injective naming first, then, for artifacts an older tracedeck
 * wrote, the one under the old naming (when it is this run's, see holdsRun).
 * Undefined when neither holds the file.
 */
export function findRunArtifactDir(home: string, run: ArtifactRun, file: string): string | undefined {
	const current = runArtifactDir(home, run);
	if (fs.existsSync(path.join(current, file))) {
		return current;
	}

	const legacy = legacyRunArtifactDir(home, run);
	return legacy !== current && fs.existsSync(path.join(legacy, file)) && holdsRun(legacy, run, 'legacy') ? legacy : undefined;
}
