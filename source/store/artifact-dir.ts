import path from 'node:path';
import type {Run} from '../core/run.js';

/** A path segment from untrusted text: no separators, no "..", never empty. */
export function safeSegment(value: string | null | undefined): string {
	const cleaned = (value ?? '').replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
	return cleaned === '' ? '_' : cleaned.slice(0, 128);
}

/** Where a run's artifacts live: `<home>/artifacts/<env>/<target>/<plan-hash>/<run-id>/`. */
export function runArtifactDir(home: string, run: Pick<Run, 'env' | 'target' | 'plan_hash' | 'run_id'>): string {
	return path.join(home, 'artifacts', safeSegment(run.env), safeSegment(run.target), safeSegment(run.plan_hash), safeSegment(run.run_id));
}
