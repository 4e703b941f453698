import type {Run} from '../core/run.js';
import {summarizeRun} from '../core/run-summary.js';
import type {Span} from '../core/span.js';
import type {Db} from './open-database.js';

const PAGE = 500;

/**
 * Summarize every stored run again from its spans, keeping its stored run id
 * (already made unique) and its newest-event time. Migration 6 runs it once:
 * runs folded before the exact-answers rules (a recovered failure blamed as
 * the root cause, the first root only in the window) would otherwise keep
 * their old status, window and failed step in every list and figure. Paged by
 * trace id, so a big index never sits in memory at once.
 */
export function refoldRuns(db: Db): void {
	const page = db.prepare('SELECT trace_id, run_id, body FROM runs WHERE trace_id > ? ORDER BY trace_id LIMIT ?');
	const spansOf = db.prepare('SELECT body FROM spans WHERE trace_id = ?').pluck();
	// Only what the rules can change; the status trigger fires on running → ended alone, so no figure is counted twice.
	const update = db.prepare('UPDATE runs SET status = ?, started_ms = ?, ended_ms = ?, failed_step = ?, body = ? WHERE trace_id = ?');
	let after = '';
	for (;;) {
		const rows = page.all(after, PAGE) as Array<{trace_id: string; run_id: string; body: string}>;
		if (rows.length === 0) {
			return;
		}

		for (const row of rows) {
			const previous = JSON.parse(row.body) as Run;
			const spans = (spansOf.all(row.trace_id) as string[]).map(body => JSON.parse(body) as Span);
			const run = summarizeRun(spans, previous.last_event_ms);
			if (run !== null) {
				const stored: Run = {...run, run_id: row.run_id, current_step: null};
				update.run(stored.status, Date.parse(stored.started_at), stored.ended_at === null ? null : Date.parse(stored.ended_at), stored.failed_step, JSON.stringify(stored), row.trace_id);
			}
		}

		after = rows.at(-1)!.trace_id;
	}
}
