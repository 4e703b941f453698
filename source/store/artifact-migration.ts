import fs from 'node:fs';
import path from 'node:path';
import {legacyRunArtifactDir, runArtifactDir} from './artifact-dir.js';
import {holdsRun, type ArtifactRun} from './artifact-lookup.js';
import {removeEmptyParents} from './artifact-removal.js';

/**
 * Before writing a run's artifacts: move the folder an older tracedeck wrote
 * for it (old naming, its summary.json naming this run) to today's name, so
 * that the run keeps one folder and plan.json, plan.sig and the new report
 * stay together. Best effort: when it cannot be moved, the writer writes
 * today's folder and readers still find the old one (findRunArtifactDir).
 */
export function adoptLegacyArtifactDir(home: string, run: ArtifactRun): void {
	const current = runArtifactDir(home, run);
	const legacy = legacyRunArtifactDir(home, run);
	if (legacy === current || fs.existsSync(current) || !fs.existsSync(legacy) || !holdsRun(legacy, run, 'legacy')) {
		return;
	}

	try {
		fs.mkdirSync(path.dirname(current), {recursive: true});
		fs.renameSync(legacy, current);
	} catch {
		// Left where it is: still found, and the writer goes on with today's folder.
		return;
	}

	removeEmptyParents(home, legacy);
}
