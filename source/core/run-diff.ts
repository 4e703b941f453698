import {displayName} from './fold.js';
import type {Run} from './run.js';
import {isSecretKey} from './redact.js';
import type {Span, SpanStatus} from './span.js';
import {buildTree, byStart, walk, type TraceTree} from './tree.js';

export interface RunInput {
	run: Run;
	spans: readonly Span[];
}

export interface StepSide {
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

export interface PlanEntryDiff {
	key: string;
	/** Null when the key is absent on that side; secrets come as "<redacted>". */
	a: unknown;
	b: unknown;
}

export interface PlanDiff {
	args: PlanEntryDiff[];
	env: PlanEntryDiff[];
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
	planA?: unknown;
	planB?: unknown;
}

const REDACTED = '<redacted>';
const REDACTION_MARK = /<redacted(?::\d+chars)?>/;
const MAX_VALUE_DEPTH = 64;

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
	return {status: span.status, duration_ms: span.end_ms === null ? null : span.end_ms - span.start_ms};
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
	// A removed step goes right after the step that preceded it in A and is still in B.
	const removedAfter = new Map<string | null, string[]>();
	let anchor: string | null = null;
	for (const {path} of a) {
		if (inB.has(path)) {
			anchor = path;
		} else {
			const list = removedAfter.get(anchor) ?? [];
			list.push(path);
			removedAfter.set(anchor, list);
		}
	}

	const order: string[] = [...(removedAfter.get(null) ?? [])];
	for (const {path} of b) {
		order.push(path);
		for (const removed of removedAfter.get(path) ?? []) {
			order.push(removed);
		}
	}

	return order.map(path => {
		const sideA = inA.get(path) ?? null;
		const sideB = inB.get(path) ?? null;
		return {path, a: sideA, b: sideB, change: changeOf(sideA, sideB, ratio, floorMs)};
	});
}

function recordOf(value: unknown): Record<string, unknown> {
	return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/**
 * Key-order-independent text of a value, for equality. Plans come from JSON,
 * but the type says unknown: depth is capped and cycles cut so no value can
 * exhaust the stack.
 */
function canonical(value: unknown, ancestors: Set<object> = new Set()): string {
	if (typeof value === 'bigint') {
		return `${value}n`;
	}

	if (value === null || typeof value !== 'object') {
		return JSON.stringify(value) ?? 'undefined';
	}

	if (ancestors.has(value) || ancestors.size >= MAX_VALUE_DEPTH) {
		return '"<cycle or too deep>"';
	}

	ancestors.add(value);
	let text: string;
	if (Array.isArray(value)) {
		text = `[${value.map((item: unknown) => canonical(item, ancestors)).join(',')}]`;
	} else {
		const record = value as Record<string, unknown>;
		const keys = Object.keys(record).sort();
		text = `{${keys.map(key => `${JSON.stringify(key)}:${canonical(record[key], ancestors)}`).join(',')}}`;
	}

	ancestors.delete(value);
	return text;
}

/** A copy safe to print: secret keys and values already redacted at the source never show raw. */
function shown(value: unknown, ancestors: Set<object> = new Set()): unknown {
	if (typeof value === 'string') {
		return REDACTION_MARK.test(value) ? REDACTED : value;
	}

	if (value === null || typeof value !== 'object') {
		return value;
	}

	if (ancestors.has(value) || ancestors.size >= MAX_VALUE_DEPTH) {
		return REDACTED;
	}

	ancestors.add(value);
	let copy: unknown;
	if (Array.isArray(value)) {
		copy = value.map((item: unknown) => shown(item, ancestors));
	} else {
		const out: Record<string, unknown> = {};
		for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
			out[key] = isSecretKey(key) ? REDACTED : shown(item, ancestors);
		}

		copy = out;
	}

	ancestors.delete(value);
	return copy;
}

function diffSection(a: Record<string, unknown>, b: Record<string, unknown>): PlanEntryDiff[] {
	const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
	const out: PlanEntryDiff[] = [];
	for (const key of keys) {
		const hasA = Object.hasOwn(a, key);
		const hasB = Object.hasOwn(b, key);
		// Compared raw, shown redacted: a rotated secret is a real difference, its value is not for the screen.
		if (hasA === hasB && canonical(a[key]) === canonical(b[key])) {
			continue;
		}

		const show = (has: boolean, value: unknown): unknown => (!has ? null : isSecretKey(key) ? REDACTED : shown(value));
		out.push({key, a: show(hasA, a[key]), b: show(hasB, b[key])});
	}

	return out;
}

/** The args and env keys whose values differ between two plans; anything not shaped like a plan is empty. */
export function diffPlans(planA: unknown, planB: unknown): PlanDiff {
	const a = recordOf(planA);
	const b = recordOf(planB);
	return {
		args: diffSection(recordOf(a['args']), recordOf(b['args'])),
		env: diffSection(recordOf(a['env']), recordOf(b['env'])),
	};
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
