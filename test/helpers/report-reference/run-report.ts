// Frozen copy of source/core/run-report.ts as it was before issue 20 (index-based tree, streamed runs show):
// the oracle test/core/run-report-stream.test.ts compares the new report with. Do not edit.
import {compensationChains, type CompensationLink} from './compensations.js';
import {criticalPath, type CriticalSegment} from './critical-path.js';
import {decisionOutcomes, type DecisionOutcome} from './decisions.js';
import {recoveredFailures, rootCauseFailure} from './failure.js';
import {displayName} from '../../../source/core/span-name.js';
import type {RunLog} from '../../../source/core/log-record.js';
import type {Run} from '../../../source/core/run.js';
import type {Span} from '../../../source/core/span.js';
import {buildTree, stepPath, walk, type TraceTree} from './tree.js';

/**
 * A span as `runs show --json` prints it: the span's own fields as folded
 * (times are epoch milliseconds, fractional below the millisecond), with its
 * step path, its duration and whether its parent arrived.
 */
export interface ReportSpan extends Pick<Span, 'span_id' | 'name' | 'kind' | 'start_ms' | 'end_ms' | 'status' | 'attributes' | 'input' | 'output' | 'error' | 'retries' | 'stderr' | 'tags' | 'service' | 'span_kind' | 'resource' | 'scope' | 'events' | 'links' | 'status_message' | 'logs'> {
	/** As declared, even when that span never arrived (DESIGN). */
	parent_span_id: string | null;
	/** Whether the declared parent is in the trace; false for a root. The tree makes a span whose parent is missing a root. */
	parent_known: boolean;
	path: string;
	duration_ms: number | null;
}

export interface RunReport {
	run: Run;
	spans: ReportSpan[];
	critical_path: CriticalSegment[];
	failure: {span_id: string; name: string; path: string[]; step_path: string; error: string | null; input?: unknown} | null;
	/** Span ids of failures something above them recovered from (a retry, a fallback), by start: not causes, still worth seeing. */
	recovered: string[];
	compensations: CompensationLink[];
	orphans: string[];
	decisions: DecisionOutcome[];
	/** Log records of the run whose span is not in it (never arrived, or none named), in time order; the rest are under their span. */
	logs: RunLog[];
}

function reportSpan(tree: TraceTree, span: Span): ReportSpan {
	const out: ReportSpan = {
		span_id: span.span_id,
		parent_span_id: span.parent_span_id,
		parent_known: (tree.parent.get(span.span_id) ?? null) !== null,
		name: displayName(span),
		path: stepPath(tree, span.span_id),
		kind: span.kind,
		start_ms: span.start_ms,
		end_ms: span.end_ms,
		duration_ms: span.end_ms === null ? null : span.end_ms - span.start_ms,
		status: span.status,
		attributes: span.attributes,
		retries: span.retries,
		stderr: span.stderr,
		tags: span.tags,
		service: span.service,
		span_kind: span.span_kind,
		resource: span.resource,
		scope: span.scope,
		events: span.events,
		links: span.links,
		status_message: span.status_message,
		logs: span.logs ?? [],
	};
	if (span.input !== undefined) {
		out.input = span.input;
	}

	if (span.output !== undefined) {
		out.output = span.output;
	}

	if (span.error !== undefined) {
		out.error = span.error;
	}

	return out;
}

/**
 * Everything `runs show` answers about one run: the spans in tree order, the
 * critical path, the root-cause failure, compensations and AI decisions.
 * `nowMs` closes open spans for the critical path of a running run;
 * `strayLogs` are the run's log records without a span (RunIndex.strayLogs).
 */
export function buildRunReport(run: Run, spans: readonly Span[], nowMs?: number, strayLogs: readonly RunLog[] = []): RunReport {
	const tree = buildTree(spans);
	const failure = rootCauseFailure(tree);
	const chains = compensationChains(tree);
	return {
		run,
		spans: walk(tree).map(span => reportSpan(tree, span)),
		critical_path: criticalPath(tree, nowMs),
		failure: failure && {
			span_id: failure.span.span_id,
			name: displayName(failure.span),
			path: failure.path.map(span => span.span_id),
			step_path: stepPath(tree, failure.span.span_id),
			error: failure.error,
			...(failure.span.input === undefined ? {} : {input: failure.span.input}),
		},
		recovered: recoveredFailures(tree).map(span => span.span_id),
		compensations: chains.compensations,
		orphans: chains.orphans,
		decisions: decisionOutcomes(tree, run.status),
		logs: [...strayLogs],
	};
}
