import type {TraceEvent} from '../../source/core/trace-event.js';

export interface StageSpec {
	name: string;
	/** Seconds after the run's start. */
	start: number;
	/** Null: still open. */
	end: number | null;
	status?: 'success' | 'failed';
	kind?: string;
	error?: string;
	stderr?: string[];
	/** Span id of the parent stage; default the root. */
	parent?: string;
	id?: string;
}

export interface DeploySpec {
	trace: string;
	runId?: string;
	/** Null: a run without an environment (not a deployment). */
	env?: string | null;
	target?: string;
	startMs: number;
	/** Seconds; absent: the run is still running. */
	duration?: number;
	status?: 'success' | 'failed';
	stages?: StageSpec[];
	user?: string;
	planHash?: string;
	git?: Record<string, unknown>;
	/** Root attributes beside the usual ones. */
	extra?: Record<string, unknown>;
}

/** Hand-written TraceEvents for one deployment run: a root and its stages. */
export function deployEvents(spec: DeploySpec): TraceEvent[] {
	const at = (s: number): string => new Date(spec.startMs + s * 1000).toISOString();
	const t = spec.trace;
	const rootData: Record<string, unknown> = {name: `deploy ${spec.target ?? 'api'}`, run_id: spec.runId ?? `run-${t}`, target: spec.target ?? 'api', ...spec.extra};
	if (spec.env !== null) {
		rootData['env'] = spec.env ?? 'prod';
	}

	for (const [key, value] of [
		['user', spec.user],
		['plan_hash', spec.planHash],
		['git', spec.git],
	] as const) {
		if (value !== undefined) {
			rootData[key] = value;
		}
	}

	const events: TraceEvent[] = [{trace_id: t, span_id: 'root', event_type: 'workflow:started', timestamp: at(0), data: rootData}];
	(spec.stages ?? []).forEach((stage, i) => {
		const id = stage.id ?? `s${i}`;
		const kind = stage.kind ?? 'stage';
		events.push({trace_id: t, span_id: id, parent_span_id: stage.parent ?? 'root', event_type: `${kind}:started`, timestamp: at(stage.start), data: {name: stage.name}});
		for (const line of stage.stderr ?? []) {
			events.push({trace_id: t, span_id: id, event_type: 'log:stderr', timestamp: at(stage.start), data: {line}});
		}

		if (stage.end !== null) {
			const failed = stage.status === 'failed';
			events.push({
				trace_id: t,
				span_id: id,
				event_type: `${kind}:${failed ? 'failed' : 'completed'}`,
				status: failed ? 'failed' : 'success',
				timestamp: at(stage.end),
				...(stage.error ? {data: {error: {message: stage.error}}} : {}),
			});
		}
	});
	if (spec.duration !== undefined) {
		const failed = spec.status === 'failed';
		events.push({trace_id: t, span_id: 'root', event_type: `workflow:${failed ? 'failed' : 'completed'}`, status: failed ? 'failed' : 'success', timestamp: at(spec.duration)});
	}

	return events;
}

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
