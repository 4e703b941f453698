import {percentile} from './percentile.js';
import type {RunStatus} from './run.js';

/**
 * DORA's four keys over deployment runs. A deployment is a run with an
 * environment; it is counted by env and target. Pure: the caller loads the
 * rows of its window (store/dora-rows.ts) and passes the window's length.
 */
export interface DoraRow {
	run_id: string;
	env: string;
	target: string | null;
	status: RunStatus;
	started_ms: number;
	ended_ms: number | null;
	git_sha: string | null;
	/** When the deployed commit was made (root attribute git.committed_at), if the producer said. */
	committed_ms: number | null;
}

export interface DoraKeys {
	/** Finished deployments: successful plus failed (running and cancelled runs are neither). */
	deployments: number;
	successful: number;
	failed: number;
	/** Successful deployments per day of the window; null for an empty window. */
	deployment_frequency_per_day: number | null;
	/** Median (nearest-rank, so an observed value) of commit → successful deploy end; null without git commit times. */
	lead_time_ms: number | null;
	lead_time_samples: number;
	/** failed / deployments; null without deployments. */
	change_failure_rate: number | null;
	/** Median of first failed deploy end → next successful deploy end, same env and target. */
	time_to_restore_ms: number | null;
	restores: number;
	/** Failure streaks not followed by a success within the rows. */
	unrestored: number;
}

export interface DoraGroup extends DoraKeys {
	env: string;
	target: string | null;
}

export interface DoraFigures extends DoraKeys {
	window_ms: number;
	by_target: DoraGroup[];
}

const DAY_MS = 86_400_000;

function median(values: number[]): number | null {
	return percentile(
		[...values].sort((a, b) => a - b),
		50,
	);
}

interface Samples {
	successful: number;
	failed: number;
	leadTimes: number[];
	restores: number[];
	unrestored: number;
}

function endOf(row: DoraRow): number {
	return row.ended_ms ?? row.started_ms;
}

/** One env/target's deployments, oldest first by end. */
function sample(rows: readonly DoraRow[]): Samples {
	const finished = rows.filter(row => (row.status === 'success' || row.status === 'failed') && row.ended_ms !== null).sort((a, b) => endOf(a) - endOf(b) || a.started_ms - b.started_ms || (a.run_id < b.run_id ? -1 : a.run_id > b.run_id ? 1 : 0));
	const out: Samples = {successful: 0, failed: 0, leadTimes: [], restores: [], unrestored: 0};
	let outageSince: number | null = null;
	for (const row of finished) {
		const end = row.ended_ms!;
		if (row.status === 'failed') {
			out.failed++;
			// A streak of failures is one outage, restored by the first success after its first failure.
			outageSince ??= end;
			continue;
		}

		out.successful++;
		if (row.committed_ms !== null) {
			// Clocks disagree now and then; a commit "after" its deploy counts as zero lead time.
			out.leadTimes.push(Math.max(0, end - row.committed_ms));
		}

		if (outageSince !== null) {
			out.restores.push(end - outageSince);
			outageSince = null;
		}
	}

	if (outageSince !== null) {
		out.unrestored++;
	}

	return out;
}

function keys(s: Samples, windowMs: number): DoraKeys {
	const deployments = s.successful + s.failed;
	return {
		deployments,
		successful: s.successful,
		failed: s.failed,
		deployment_frequency_per_day: windowMs > 0 ? s.successful / (windowMs / DAY_MS) : null,
		lead_time_ms: median(s.leadTimes),
		lead_time_samples: s.leadTimes.length,
		change_failure_rate: deployments === 0 ? null : s.failed / deployments,
		time_to_restore_ms: median(s.restores),
		restores: s.restores.length,
		unrestored: s.unrestored,
	};
}

export function doraFigures(rows: readonly DoraRow[], windowMs: number): DoraFigures {
	const groups = new Map<string, {env: string; target: string | null; rows: DoraRow[]}>();
	for (const row of rows) {
		const key = JSON.stringify([row.env, row.target]);
		let group = groups.get(key);
		if (!group) {
			group = {env: row.env, target: row.target, rows: []};
			groups.set(key, group);
		}

		group.rows.push(row);
	}

	const total: Samples = {successful: 0, failed: 0, leadTimes: [], restores: [], unrestored: 0};
	const byTarget: DoraGroup[] = [];
	for (const group of groups.values()) {
		const s = sample(group.rows);
		total.successful += s.successful;
		total.failed += s.failed;
		total.leadTimes.push(...s.leadTimes);
		total.restores.push(...s.restores);
		total.unrestored += s.unrestored;
		byTarget.push({env: group.env, target: group.target, ...keys(s, windowMs)});
	}

	byTarget.sort((a, b) => (a.env < b.env ? -1 : a.env > b.env ? 1 : 0) || ((a.target ?? '') < (b.target ?? '') ? -1 : (a.target ?? '') > (b.target ?? '') ? 1 : 0));
	return {window_ms: windowMs, ...keys(total, windowMs), by_target: byTarget};
}
