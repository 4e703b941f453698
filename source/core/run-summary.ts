import {rootCauseFailure, type Failure} from './failure.js';
import {runFieldsOf} from './run-fields.js';
import type {GitInfo, Run, RunStatus} from './run.js';
import type {Span} from './span.js';
import {isCancelled} from './span-status.js';
import {isStep} from './step-kind.js';
import {buildTree, stepPath, type TraceTree} from './tree.js';

function str(value: unknown): string | null {
	return typeof value === 'string' && value !== '' ? value : null;
}

function gitOf(value: unknown): GitInfo | null {
	if (!value || typeof value !== 'object') {
		return null;
	}

	const record = value as Record<string, unknown>;
	const git: GitInfo = {};
	const sha = str(record['sha']);
	const branch = str(record['branch']);
	if (sha) {
		git.sha = sha;
	}

	if (branch) {
		git.branch = branch;
	}

	return sha || branch ? git : null;
}

function policyOf(value: unknown): Run['policy'] {
	if (!value || typeof value !== 'object') {
		return null;
	}

	const record = value as Record<string, unknown>;
	const policy: NonNullable<Run['policy']> = {};
	if (typeof record['deny_network'] === 'boolean') {
		policy.deny_network = record['deny_network'];
	}

	if (typeof record['readonly_fs'] === 'boolean') {
		policy.readonly_fs = record['readonly_fs'];
	}

	return policy;
}

/**
 * The roots whose end decides whether the run still runs: those that declare
 * no parent. A span whose parent never arrived only stands in for a root, and
 * an end event it never sends must not keep a finished run "running"; a trace
 * made only of stand-ins (OTLP from a service whose caller did not export)
 * has nothing better.
 */
function decidingRoots(tree: TraceTree): Span[] {
	const declared = tree.roots.filter(root => root.parent_span_id === null);
	return declared.length > 0 ? declared : tree.roots;
}

/**
 * Cancelled when the root says so; running while a deciding root is open;
 * failed when an unrecovered failure reached the run (on any root); else
 * success. So a run that succeeded has no root cause, and a second root
 * that failed fails the run even when the first one succeeded.
 */
function statusOf(tree: TraceTree, root: Span, failure: Failure | null): RunStatus {
	if (isCancelled(root)) {
		return 'cancelled';
	}

	if (decidingRoots(tree).some(r => r.end_ms === null)) {
		return 'running';
	}

	return failure === null ? 'success' : 'failed';
}

/**
 * DESIGN: env from devcmd.env (the root's `env`), else OpenTelemetry's
 * deployment.environment.name, else the older deployment.environment, as a
 * resource or a span attribute; target from devcmd.target, else the root's
 * service.name.
 */
function envOf(root: Span, a: Record<string, unknown>): string | null {
	return str(a['env']) ?? otelEnvironment(root.resource ?? {}, a);
}

/** OpenTelemetry's environment, newest name first, each looked for in every record given before the next name. */
function otelEnvironment(...records: ReadonlyArray<Record<string, unknown>>): string | null {
	for (const key of ['deployment.environment.name', 'deployment.environment']) {
		for (const record of records) {
			const value = str(record[key]);
			if (value !== null) {
				return value;
			}
		}
	}

	return null;
}

/** The environment a resource names, by the rule runs follow (devcmd.env first): for what is not a run, a service's log records. */
export function resourceEnv(resource: Record<string, unknown>): string | null {
	return str(resource['devcmd.env']) ?? otelEnvironment(resource);
}

function targetOf(root: Span, a: Record<string, unknown>): string | null {
	return str(a['target']) ?? str(root.service) ?? str(root.resource?.['service.name']);
}

/** The run id a trace's root declares, else the trace id. */
export function runIdOf(root: Span | null, traceId: string): string {
	return (root ? str(runFieldsOf(root)['run_id']) : null) ?? traceId;
}

/**
 * The run's correlation id: its root's, else that of the earliest span that
 * has one (ties by span id), so the answer never depends on the order the
 * spans are listed or arrived in.
 */
function correlationOf(root: Span, spans: readonly Span[]): string | null {
	if (root.correlation_id !== null) {
		return root.correlation_id;
	}

	let first: Span | null = null;
	for (const span of spans) {
		if (span.correlation_id !== null && (first === null || span.start_ms < first.start_ms || (span.start_ms === first.start_ms && span.span_id < first.span_id))) {
			first = span;
		}
	}

	return first?.correlation_id ?? null;
}

/**
 * Summarize a trace as a run. `lastEventMs` is the arrival time of the newest
 * event (stderr lines included), which span times alone cannot tell.
 */
export function summarizeRun(spans: readonly Span[], lastEventMs?: number, prebuilt?: TraceTree): Run | null {
	const tree = prebuilt ?? buildTree(spans);
	const root = tree.root;
	if (!root) {
		return null;
	}

	const a = runFieldsOf(root);
	const steps = spans.filter(span => isStep(span));
	const ended = steps.filter(span => span.end_ms !== null).length;
	const declaredTotal = typeof a['total_steps'] === 'number' ? a['total_steps'] : 0;
	const failure = rootCauseFailure(tree);
	let latest = 0;
	let current: Span | null = null;
	// The run's window covers every span of every root, not the first root alone.
	let startedAt = Number.POSITIVE_INFINITY;
	let endedAt = Number.NEGATIVE_INFINITY;
	for (const span of spans) {
		latest = Math.max(latest, span.start_ms, span.end_ms ?? 0);
		startedAt = Math.min(startedAt, span.start_ms);
		if (span.end_ms !== null) {
			endedAt = Math.max(endedAt, span.end_ms);
		}

		if (isStep(span) && span.end_ms === null && (current === null || span.start_ms >= current.start_ms)) {
			current = span;
		}
	}

	const status = statusOf(tree, root, failure);

	return {
		run_id: runIdOf(root, root.trace_id),
		trace_id: root.trace_id,
		env: envOf(root, a),
		target: targetOf(root, a),
		plan_hash: str(a['plan_hash']),
		status,
		started_at: new Date(startedAt).toISOString(),
		ended_at: status === 'running' || !Number.isFinite(endedAt) ? null : new Date(endedAt).toISOString(),
		failed_step: failure ? stepPath(tree, failure.span.span_id) || failure.span.name : null,
		retries: spans.reduce((sum, span) => sum + span.retries.length, 0),
		runner: str(a['runner']),
		git: gitOf(a['git']),
		user: str(a['user']),
		progress: {completed: ended, total: Math.max(declaredTotal, steps.length)},
		policy: policyOf(a['policy']),
		name: root.name || root.trace_id,
		last_event_ms: Math.max(latest, lastEventMs ?? 0),
		parent_trace_id: root.parent_trace_id,
		correlation_id: correlationOf(root, spans),
		current_step: status === 'running' && current ? stepPath(tree, current.span_id) : null,
	};
}
