// Frozen copy of source/core/decisions.ts as it was before issue 20 (index-based tree, streamed runs show):
// the oracle test/core/run-report-stream.test.ts compares the new report with. Do not edit.
import {firstToEnd, rootCauseCandidates} from './failure.js';
import {displayName} from '../../../source/core/span-name.js';
import type {RunStatus} from '../../../source/core/run.js';
import type {Span} from '../../../source/core/span.js';
import {isDecision} from '../../../source/core/step-kind.js';
import {byStart, pathTo, stepPath, type TraceTree} from './tree.js';

export interface DecisionAlternative {
	option: string;
	score?: number;
	reason?: string;
}

export type DecisionOutcomeKind = 'failed' | 'pending' | 'success';

/** An AI decision and what followed it in its run. */
export interface DecisionOutcome {
	span_id: string;
	name: string;
	/** Step path of the decision span ("plan/choose-route"). */
	path: string;
	/** The chosen option; null when the producer did not say (or said something unusable). */
	decision: string | null;
	alternatives: DecisionAlternative[];
	reasoning: string | null;
	confidence: number | null;
	outcome: DecisionOutcomeKind;
	/** The first root-cause failure among the spans that started after the decision. */
	downstream_failed_span_id: string | null;
}

function optionText(value: unknown): string | null {
	if (typeof value === 'string') {
		return value;
	}

	if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean') {
		return String(value);
	}

	return null;
}

function finite(value: unknown): number | undefined {
	return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Producers are users' code: keep what is well-formed and drop the rest, without throwing. */
function alternativesOf(value: unknown): DecisionAlternative[] {
	if (!Array.isArray(value)) {
		return [];
	}

	const out: DecisionAlternative[] = [];
	for (const entry of value as unknown[]) {
		const bare = optionText(entry);
		if (bare !== null) {
			out.push({option: bare});
			continue;
		}

		if (!entry || typeof entry !== 'object' || Array.isArray(entry)) {
			continue;
		}

		const record = entry as Record<string, unknown>;
		const option = optionText(record['option']);
		if (option === null) {
			continue;
		}

		const alternative: DecisionAlternative = {option};
		const score = finite(record['score']);
		if (score !== undefined) {
			alternative.score = score;
		}

		if (typeof record['reason'] === 'string') {
			alternative.reason = record['reason'];
		}

		out.push(alternative);
	}

	return out;
}

function downstreamFailure(tree: TraceTree, decision: Span): Span | null {
	const ancestors = new Set(pathTo(tree, decision.span_id).map(span => span.span_id));
	const after = (span: Span): boolean => span.start_ms > decision.start_ms && !ancestors.has(span.span_id);
	return firstToEnd(rootCauseCandidates(tree, after));
}

/**
 * Every AI decision in the trace, by start, with its outcome: `failed` when a
 * span that started after it failed, else `pending` while the run runs, else
 * `success`. `runStatus`, when given, is the run's verdict and decides
 * "still running"; without it, an open root does.
 */
export function decisionOutcomes(tree: TraceTree, runStatus?: RunStatus): DecisionOutcome[] {
	const running = runStatus === undefined ? tree.root !== null && tree.root.end_ms === null : runStatus === 'running';
	return [...tree.byId.values()]
		.filter(span => isDecision(span))
		.sort(byStart)
		.map((span): DecisionOutcome => {
			const a = span.attributes;
			const failed = downstreamFailure(tree, span);
			const confidence = finite(a['confidence']);
			return {
				span_id: span.span_id,
				name: displayName(span),
				path: stepPath(tree, span.span_id),
				decision: optionText(a['decision']),
				alternatives: alternativesOf(a['alternatives']),
				reasoning: typeof a['reasoning'] === 'string' ? a['reasoning'] : null,
				confidence: confidence ?? null,
				outcome: failed ? 'failed' : running ? 'pending' : 'success',
				downstream_failed_span_id: failed?.span_id ?? null,
			};
		});
}
