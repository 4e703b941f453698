import {formatDuration} from '../core/format-duration.js';
import type {Run} from '../core/run.js';
import {runDurationMs} from '../core/run-duration.js';
import {stepLabel} from '../core/run-progress.js';
import {statusSymbol} from '../core/symbols.js';
import {textSymbols} from './text-symbols.js';
import {textTable} from './text-table.js';

/** `runs list`'s table (at least one run), in its own module so `runs list --json` never loads it. */
export function runsTable(runs: readonly Run[], nowMs: number): string {
	const symbols = textSymbols();
	const rows = runs.map(r => [r.run_id, `${statusSymbol(r.status, symbols)} ${r.status}`, r.env ?? '-', r.target ?? '-', r.started_at.replace('T', ' ').slice(0, 19), formatDuration(runDurationMs(r, nowMs)), r.status === 'running' ? [stepLabel(r), r.current_step].filter(Boolean).join(' ') : (r.failed_step ?? '')]);
	return textTable(['RUN', 'STATUS', 'ENV', 'TARGET', 'STARTED (UTC)', 'DURATION', 'STEP'], rows);
}
