import type {Run} from '../core/run.js';
import {finishedRunDurationMs} from '../core/run-duration.js';
import type {ReportSpan} from '../core/run-report.js';
import {sanitize} from '../core/sanitize.js';

export type CsvValue = string | number | boolean | null | undefined;

/** Cells a spreadsheet would run as a formula (CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One RFC 4180 field. Text is producer-supplied, so it is cleaned of
 * terminal escapes (the export may land on a terminal) and, when it would
 * start a spreadsheet formula, prefixed with an apostrophe. Numbers and
 * booleans are written as they are.
 */
export function csvField(value: CsvValue): string {
	if (value === null || value === undefined) {
		return '';
	}

	if (typeof value === 'number' || typeof value === 'boolean') {
		return String(value);
	}

	let text = sanitize(value);
	if (FORMULA_START.test(text)) {
		text = `'${text}`;
	}

	return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A record: fields joined by commas, ended by CRLF as RFC 4180 has it. */
export function csvRecord(values: readonly CsvValue[]): string {
	return `${values.map(value => csvField(value)).join(',')}\r\n`;
}

/** DESIGN's run fields, nested ones flattened. */
export const RUN_COLUMNS = ['run_id', 'trace_id', 'env', 'target', 'plan_hash', 'status', 'started_at', 'ended_at', 'duration_ms', 'failed_step', 'retries', 'runner', 'git_sha', 'git_branch', 'user', 'progress_completed', 'progress_total', 'policy_deny_network', 'policy_readonly_fs'] as const;

export function runCsvValues(run: Run): CsvValue[] {
	return [run.run_id, run.trace_id, run.env, run.target, run.plan_hash, run.status, run.started_at, run.ended_at, finishedRunDurationMs(run), run.failed_step, run.retries, run.runner, run.git?.sha, run.git?.branch, run.user, run.progress.completed, run.progress.total, run.policy?.deny_network, run.policy?.readonly_fs];
}

export const SPAN_COLUMNS = ['run_id', 'trace_id', 'span_id', 'parent_span_id', 'path', 'name', 'kind', 'status', 'started_at', 'ended_at', 'duration_ms', 'retries', 'error'] as const;

export function spanCsvValues(run: Run, span: ReportSpan): CsvValue[] {
	return [run.run_id, run.trace_id, span.span_id, span.parent_span_id, span.path, span.name, span.kind, span.status, new Date(span.start_ms).toISOString(), span.end_ms === null ? null : new Date(span.end_ms).toISOString(), span.duration_ms, span.retries.length, span.error?.message];
}
