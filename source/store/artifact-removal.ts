import fs from 'node:fs';
import path from 'node:path';
import {artifactSegment, legacyArtifactSegment} from './artifact-dir.js';
import {holdsRun, type ArtifactRun} from './artifact-lookup.js';

function subfolders(dir: string): string[] {
	try {
		return fs
			.readdirSync(dir, {withFileTypes: true})
			.filter(entry => entry.isDirectory())
			.map(entry => entry.name);
	} catch {
		return [];
	}
}

/**
 * The run's artifact folders that exist and are its own. Besides the folder
 * its fields name, any plan-hash folder under its env/target may hold it (the
 * writer files a run that recorded no plan hash under the hash of the plan it
 * was given). Folders under today's naming are looked up first, then those an
 * older tracedeck named (see artifact-dir.ts): those are the run's only when
 * their summary.json says so (holdsRun), so purging one run never deletes
 * another's folder.
 */
export function ownedArtifactDirs(home: string, run: ArtifactRun): string[] {
	const namings = [
		{naming: 'current', segment: artifactSegment},
		{naming: 'legacy', segment: legacyArtifactSegment},
	] as const;
	const found = new Set<string>();
	for (const {naming, segment} of namings) {
		const targetDir = path.join(home, 'artifacts', segment(run.env), segment(run.target));
		for (const hash of subfolders(targetDir)) {
			const dir = path.join(targetDir, hash, segment(run.run_id));
			// A folder both namings give is today's: judged as such by the first pass.
			if (!found.has(dir) && fs.existsSync(dir) && holdsRun(dir, run, naming)) {
				found.add(dir);
			}
		}
	}

	return [...found];
}

/** Remove the env/target/plan-hash folders above `dir` that are left empty, up to `<home>/artifacts`. */
export function removeEmptyParents(home: string, dir: string): void {
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

/** Remove a run's artifact folder, then the env/target/plan-hash folders it leaves empty. */
export function removeArtifactDir(home: string, dir: string): void {
	fs.rmSync(dir, {recursive: true, force: true});
	removeEmptyParents(home, dir);
}
