import {isStuck} from '../../core/active-runs.js';
import type {Run} from '../../core/run.js';
import {runDurationMs} from '../../core/run-duration.js';
import {DAY_MS, type DaySummary} from '../../store/run-day-summary.js';
import type {RunQuery} from '../../store/run-query-sql.js';
import type {SortKey} from './console-state.js';

/*
 * The filter language of the runs screen, and its rules stated over runs in
 * memory. The runs screen does not filter in memory (it lists the whole
 * index through SQL, source/store/run-page.ts); these functions are the
 * rules that SQL is tested against, and the pieces the labels share.
 */

/** "status:failed env:prod api" → field terms and free text, all of which must match. */
export type {RunQuery} from '../../store/run-query-sql.js';

const FIELDS = new Set(['status', 'env', 'target', 'user', 'branch']);
const STATUS_ALIASES: Record<string, string> = {ok: 'success', passed: 'success', succeeded: 'success', error: 'failed', fail: 'failed', active: 'running', canceled: 'cancelled'};

export function parseRunQuery(text: string): RunQuery {
	const query: RunQuery = {status: [], env: [], target: [], user: [], branch: [], text: []};
	for (const token of text.toLowerCase().split(/\s+/)) {
		if (token === '') {
			continue;
		}

		const colon = token.indexOf(':');
		const field = colon > 0 ? token.slice(0, colon) : '';
		const value = colon > 0 ? token.slice(colon + 1) : '';
		if (FIELDS.has(field) && value !== '') {
			const values = value.split(',').filter(v => v !== '');
			const list = query[field as keyof Omit<RunQuery, 'text'>];
			list.push(...(field === 'status' ? values.map(v => STATUS_ALIASES[v] ?? v) : values));
		} else if (!(FIELDS.has(field) && value === '')) {
			query.text.push(token);
		}
	}

	return query;
}

function oneOf(values: string[], actual: string | null | undefined): boolean {
	return values.length === 0 || (actual !== null && actual !== undefined && values.some(v => actual.toLowerCase().includes(v)));
}

export function matchesRun(run: Run, query: RunQuery, nowMs: number, stuckAfterMs: number): boolean {
	if (query.status.length > 0) {
		const stuck = isStuck(run, nowMs, stuckAfterMs);
		const ok = query.status.some(s => s === run.status || (s === 'stuck' && stuck));
		if (!ok) {
			return false;
		}
	}

	if (!oneOf(query.env, run.env) || !oneOf(query.target, run.target) || !oneOf(query.user, run.user) || !oneOf(query.branch, run.git?.branch)) {
		return false;
	}

	if (query.text.length === 0) {
		return true;
	}

	const haystack = [run.run_id, run.trace_id, run.name, run.env, run.target, run.user, run.git?.branch, run.git?.sha, run.failed_step, run.current_step, run.status]
		.filter(value => value !== null && value !== undefined)
		.join(' ')
		.toLowerCase();
	return query.text.every(word => haystack.includes(word));
}

const STATUS_ORDER: Record<string, number> = {failed: 0, running: 1, cancelled: 2, success: 3};

/**
 * The runs screen's order: running runs first (question 4: what is running
 * right now), then the rest; within each group by the chosen key.
 */
export function orderRuns(runs: readonly Run[], sort: SortKey, nowMs: number): Run[] {
	const started = (run: Run): number => Date.parse(run.started_at);
	const byKey = (a: Run, b: Run): number => {
		if (sort === 'duration') {
			return runDurationMs(b, nowMs) - runDurationMs(a, nowMs);
		}

		if (sort === 'status') {
			return (STATUS_ORDER[a.status] ?? 9) - (STATUS_ORDER[b.status] ?? 9);
		}

		return 0;
	};

	return [...runs].sort((a, b) => {
		const activeA = a.status === 'running' ? 0 : 1;
		const activeB = b.status === 'running' ? 0 : 1;
		return activeA - activeB || byKey(a, b) || started(b) - started(a) || (a.run_id < b.run_id ? -1 : a.run_id > b.run_id ? 1 : 0);
	});
}

export function filterRuns(runs: readonly Run[], filter: string, sort: SortKey, nowMs: number, stuckAfterMs: number): Run[] {
	const query = parseRunQuery(filter);
	return orderRuns(
		runs.filter(run => matchesRun(run, query, nowMs, stuckAfterMs)),
		sort,
		nowMs,
	);
}

/** Question 5 at a glance over runs in memory: the rule daySummary (source/store/run-day-summary.ts) counts in SQL. */
export function lastDay(runs: readonly Run[], nowMs: number): DaySummary {
	const since = nowMs - DAY_MS;
	let total = 0;
	let failed = 0;
	const points = new Map<string, number>();
	for (const run of runs) {
		if (Date.parse(run.started_at) < since) {
			continue;
		}

		total++;
		if (run.status === 'failed') {
			failed++;
			if (run.failed_step) {
				points.set(run.failed_step, (points.get(run.failed_step) ?? 0) + 1);
			}
		}
	}

	let top: DaySummary['top'] = null;
	for (const [step, count] of points) {
		if (top === null || count > top.count || (count === top.count && step < top.step)) {
			top = {step, count};
		}
	}

	return {total, failed, top};
}
