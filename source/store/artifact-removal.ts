import fs from 'node:fs';
import path from 'node:path';
import type {Run} from '../core/run.js';
import {runArtifactDir} from './artifact-dir.js';

type RunRef = Pick<Run, 'run_id' | 'env' | 'target' | 'plan_hash'>;

function ownedBy(dir: string, run: RunRef): boolean {
	try {
		const summary = JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')) as {run_id?: unknown};
		return summary.run_id === undefined || summary.run_id === run.run_id;
	} catch {
		// No or unreadable summary.json: the folder name is all there is to go by.
		return true;
	}
}

/**
 * The run's artifact folders that exist and are its own. Besides the folder
 * its fields name, any plan-hash folder under its env/target may hold it (the
 * writer files a run that recorded no plan hash under the hash of the plan it
 * was given). Folder names are sanitized run fields, so two runs can map to
 * one name ("a/b" and "a_b"): summary.json inside names its run, and a folder
 * that names another run is never this run's to delete.
 */
export function ownedArtifactDirs(home: string, run: RunRef): string[] {
	const named = runArtifactDir(home, run);
	const runDir = path.basename(named);
	const targetDir = path.dirname(path.dirname(named));
	let hashes: string[] = [];
	try {
		hashes = fs.readdirSync(targetDir, {withFileTypes: true}).filter(entry => entry.isDirectory()).map(entry => entry.name);
	} catch {
		return [];
	}

	return hashes
		.map(hash => path.join(targetDir, hash, runDir))
		.filter(dir => fs.existsSync(dir) && ownedBy(dir, run));
}

/** Remove a run's artifact folder, then the env/target/plan-hash folders it leaves empty. */
export function removeArtifactDir(home: string, dir: string): void {
	fs.rmSync(dir, {recursive: true, force: true});
	const stop = path.resolve(home, 'artifacts');
	let current = path.dirname(path.resolve(dir));
	while (current.startsWith(`${stop}${path.sep}`)) {
		try {
			fs.rmdirSync(current);
		} catch {
			return;
		}

		current = path.dirname(current);
	}
}
