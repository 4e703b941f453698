import {alignedOrder} from './aligned-order.js';
import {displayName} from './span-name.js';
import {diffPlans, type PlanDiff} from './plan-diff.js';
import type {Run} from './run.js';
import type {Span, SpanStatus} from './span.js';
import {buildTree, byStart, walk, type TraceTree} from './tree.js';

export interface RunInput {
	run: Run;
	spans: readonly Span[];
}

export interface StepSide {
	/** The step's span in its run: where the console opens it. */
	span_id: string;
	status: SpanStatus;
	/** Null while the step is open. */
	duration_ms: number | null;
}

export type StepChange = 'added' | 'removed' | 'status' | 'slower' | 'faster' | 'same';

export interface StepDiff {
	path: string;
	a: StepSide | null;
	b: StepSide | null;
	change: StepChange;
}

export interface RunDiff {
	a: Run;
	b: Run;
	steps: StepDiff[];
	plan: PlanDiff;
}

export interface DiffOptions {
	/** A timing change smaller than this share of the faster side's duration is noise. Default 0.2. */
	thresholdRatio?: number;
	/** A timing change smaller than this is noise. Default 100 ms. */
	thresholdMs?: number;
	/** Each run's plan (plan.json, secrets redacted); undefined when the run recorded none. */
	planA?: unknown;
	planB?: unknown;
}

interface Occurrence {
	path: string;
	span: Span;
}

/**
 * Every non-root span with a path that is unique within its run. A path that
 * repeats (retries, loops) gets "#2", "#3" in start order, and the suffix
 * carries into the children ("loop/iter#2/build"), so the second iteration's
 * steps line up with the other run's second iteration. Computed a level at a
 * time: a parent's path is settled before its children's.
 */
function stepOccurrences(tree: TraceTree): Occurrence[] {
	const pathOf = new Map<string, string>();
	const used = new Set<string>();
	let level: Span[] = [...tree.roots];
	for (const root of level) {
		pathOf.set(root.span_id, '');
	}

	while (level.length > 0) {
		const next: Span[] = [];
		const groups = new Map<string, Span[]>();
		for (const parent of level) {
			const parentPath = pathOf.get(parent.span_id)!;
			for (const child of tree.children.get(parent.span_id) ?? []) {
				next.push(child);
				const raw = parentPath === '' ? displayName(child) : `${parentPath}/${displayName(child)}`;
				const group = groups.get(raw) ?? [];
				group.push(child);
				groups.set(raw, group);
			}
		}

		for (const [raw, group] of groups) {
			group.sort(byStart);
			let n = 1;
			for (const span of group) {
				let candidate: string;
				do {
					candidate = n === 1 ? raw : `${raw}#${n}`;
					n++;
				} while (used.has(candidate));
				used.add(candidate);
				pathOf.set(span.span_id, candidate);
			}
		}

		level = next;
	}

	return walk(tree)
		.filter(span => tree.parent.get(span.span_id) !== null)
		.map(span => ({path: pathOf.get(span.span_id)!, span}));
}

function sideOf(span: Span): StepSide {
	return {span_id: span.span_id, status: span.status, duration_ms: span.end_ms === null ? null : span.end_ms - span.start_ms};
}

function changeOf(a: StepSide | null, b: StepSide | null, ratio: number, floorMs: number): StepChange {
	if (a === null) {
		return 'added';
	}

	if (b === null) {
		return 'removed';
	}

	if (a.status !== b.status) {
		return 'status';
	}

	if (a.duration_ms === null || b.duration_ms === null) {
		return 'same';
	}

	const delta = b.duration_ms - a.duration_ms;
	// Measured against the faster side so that diff(a, b) and diff(b, a) mirror each other.
	const threshold = Math.max(floorMs, ratio * Math.min(a.duration_ms, b.duration_ms));
	if (delta === 0 || Math.abs(delta) < threshold) {
		return 'same';
	}

	return delta > 0 ? 'slower' : 'faster';
}

function alignSteps(a: Occurrence[], b: Occurrence[], ratio: number, floorMs: number): StepDiff[] {
	const inA = new Map(a.map(o => [o.path, sideOf(o.span)]));
	const inB = new Map(b.map(o => [o.path, sideOf(o.span)]));
	const order = alignedOrder(
		a.map(o => o.path),
		b.map(o => o.path),
	);
	return order.map(path => {
		const sideA = inA.get(path) ?? null;
		const sideB = inB.get(path) ?? null;
		return {path, a: sideA, b: sideB, change: changeOf(sideA, sideB, ratio, floorMs)};
	});
}

/**
 * Two runs side by side: steps aligned by step path, in B's order with A's
 * removed steps slotted in after their predecessor, and the plan differences.
 * A step is slower/faster only when the change reaches both `thresholdMs` and
 * `thresholdRatio` of the faster side's duration; a status change wins over timing.
 */
export function diffRuns(a: RunInput, b: RunInput, options: DiffOptions = {}): RunDiff {
	const ratio = options.thresholdRatio ?? 0.2;
	const floorMs = options.thresholdMs ?? 100;
	const steps = alignSteps(stepOccurrences(buildTree(a.spans)), stepOccurrences(buildTree(b.spans)), ratio, floorMs);
	return {a: a.run, b: b.run, steps, plan: diffPlans(options.planA, options.planB)};
}
