import {alignedOrder} from './aligned-order.js';
import {asRecord} from './json-value.js';
import {sameJson} from './canonical-json.js';
import {isSecretKey} from './redact.js';

export interface PlanEntryDiff {
	key: string;
	/** Null when the key is absent on that side; secrets come as "<redacted>". */
	a: unknown;
	b: unknown;
}

export type PlanStepChange = 'added' | 'removed' | 'changed';

/** A plan step (devcmd's `steps[]`), matched across the two plans by its `id`. */
export interface PlanStepDiff {
	id: string;
	change: PlanStepChange;
	/** The fields that differ (`command`, `decorator`, ...); for an added or removed step, all of its fields. */
	fields: PlanEntryDiff[];
}

export interface PlanDiff {
	args: PlanEntryDiff[];
	env: PlanEntryDiff[];
	steps: PlanStepDiff[];
	resolved_values: PlanEntryDiff[];
	/** Whether each run had a plan. A side without one compares as an empty plan. */
	recorded: {a: boolean; b: boolean};
}

export type PlanVerdict = 'none' | 'a-only' | 'b-only' | 'same' | 'changed';

export const REDACTED = '<redacted>';
const REDACTION_MARK = /<redacted(?::\d+chars)?>/;
const MAX_VALUE_DEPTH = 64;
/** devcmd's resolved value: where it came from, an arrow, what it resolved to ("@env(API_TOKEN) → <redacted:32chars>"). */
const RESOLVED = /^([\s\S]*?)\s*(→|->)\s*([\s\S]*)$/;

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

/** A keyed value as shown: the whole value hidden when its key names a secret. */
function shownUnder(key: string, value: unknown): unknown {
	return isSecretKey(key) ? REDACTED : shown(value);
}

/** A resolved value's source and what it resolved to ("@env(API_TOKEN)", "<redacted>"), or null when it has no arrow. */
export function splitResolved(value: unknown): {source: string; value: string} | null {
	const parts = typeof value === 'string' ? RESOLVED.exec(value) : null;
	return parts === null ? null : {source: parts[1]!, value: parts[3]!};
}

/**
 * A resolved value as shown. Its key ("1", "2") says nothing, so the source
 * ("@env(API_TOKEN)") is what tells a secret: the part after the arrow is
 * hidden when the source names a secret or the value carries a redaction
 * marker, and the source stays, so the screen says which secret changed.
 */
function shownResolved(key: string, value: unknown): unknown {
	if (isSecretKey(key)) {
		return REDACTED;
	}

	const parts = typeof value === 'string' ? RESOLVED.exec(value) : null;
	if (parts === null || REDACTION_MARK.test(parts[1]!)) {
		return shown(value);
	}

	const source = parts[1]!;
	const resolved = parts[3]!;
	return isSecretKey(source) || REDACTION_MARK.test(resolved) ? `${source} ${parts[2]!} ${REDACTED}` : value;
}

/** Integer keys ("2" before "10") in numeric order, then the rest by code unit. */
function naturalOrder(a: string, b: string): number {
	const numA = /^\d+$/.test(a);
	const numB = /^\d+$/.test(b);
	if (numA && numB) {
		return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
	}

	if (numA !== numB) {
		return numA ? -1 : 1;
	}

	return a < b ? -1 : a > b ? 1 : 0;
}

type Show = (key: string, value: unknown) => unknown;

function diffSection(a: Record<string, unknown>, b: Record<string, unknown>, show: Show = shownUnder, keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()): PlanEntryDiff[] {
	const out: PlanEntryDiff[] = [];
	for (const key of keys) {
		const hasA = Object.hasOwn(a, key);
		const hasB = Object.hasOwn(b, key);
		// Compared raw, shown redacted: a rotated secret is a real difference, its value is not for the screen.
		if (hasA === hasB && sameJson(a[key], b[key])) {
			continue;
		}

		out.push({key, a: hasA ? show(key, a[key]) : null, b: hasB ? show(key, b[key]) : null});
	}

	return out;
}

/** A plan's steps by id, in plan order. Repeated ids get "#2", "#3"; a step without one is named by its place ("#3"). */
function stepsById(plan: Record<string, unknown>): Map<string, Record<string, unknown>> {
	const out = new Map<string, Record<string, unknown>>();
	const steps = Array.isArray(plan['steps']) ? (plan['steps'] as unknown[]) : [];
	for (const [position, step] of steps.entries()) {
		const record = step !== null && typeof step === 'object' && !Array.isArray(step) ? (step as Record<string, unknown>) : {value: step};
		const id = record['id'];
		const base = typeof id === 'string' && id !== '' ? id : typeof id === 'number' ? String(id) : `#${position + 1}`;
		let name = base;
		for (let n = 2; out.has(name); n++) {
			name = `${base}#${n}`;
		}

		const {id: _id, ...fields} = record;
		out.set(name, fields);
	}

	return out;
}

function diffSteps(a: Record<string, unknown>, b: Record<string, unknown>): PlanStepDiff[] {
	const inA = stepsById(a);
	const inB = stepsById(b);
	const out: PlanStepDiff[] = [];
	for (const id of alignedOrder([...inA.keys()], [...inB.keys()])) {
		const stepA = inA.get(id);
		const stepB = inB.get(id);
		const fields = diffSection(stepA ?? {}, stepB ?? {}, shownUnder, alignedOrder(Object.keys(stepA ?? {}), Object.keys(stepB ?? {})));
		if (stepA === undefined || stepB === undefined) {
			out.push({id, change: stepA === undefined ? 'added' : 'removed', fields});
		} else if (fields.length > 0) {
			out.push({id, change: 'changed', fields});
		}
	}

	return out;
}

/**
 * What differs between two plans: `args` and `env` keys, devcmd's `steps`
 * matched by id (added, removed, or the fields that changed) and its
 * `resolved_values` by key. Values are compared raw and shown redacted.
 * `undefined` is "no plan recorded"; anything not shaped like a plan is an
 * empty one.
 */
export function diffPlans(planA: unknown, planB: unknown): PlanDiff {
	const a = asRecord(planA);
	const b = asRecord(planB);
	const resolvedA = asRecord(a['resolved_values']);
	const resolvedB = asRecord(b['resolved_values']);
	return {
		args: diffSection(asRecord(a['args']), asRecord(b['args'])),
		env: diffSection(asRecord(a['env']), asRecord(b['env'])),
		steps: diffSteps(a, b),
		resolved_values: diffSection(resolvedA, resolvedB, shownResolved, [...new Set([...Object.keys(resolvedA), ...Object.keys(resolvedB)])].sort(naturalOrder)),
		recorded: {a: planA !== undefined, b: planB !== undefined},
	};
}

/** Whether the plans could be compared, and if so whether they agree. */
export function planVerdict(plan: PlanDiff): PlanVerdict {
	if (!plan.recorded.a || !plan.recorded.b) {
		return plan.recorded.a ? 'a-only' : plan.recorded.b ? 'b-only' : 'none';
	}

	return plan.args.length + plan.env.length + plan.steps.length + plan.resolved_values.length === 0 ? 'same' : 'changed';
}

function count(n: number, one: string, many = `${one}s`): string {
	return `${n} ${n === 1 ? one : many}`;
}

/** One line on the plan half of a diff: "no plan recorded for either run", "plan: no changes", "plan: 1 step, 2 args changed", ... */
export function planSummary(plan: PlanDiff): string {
	switch (planVerdict(plan)) {
		case 'none': {
			return 'no plan recorded for either run';
		}

		case 'a-only': {
			return 'plan recorded for A only (B has none): not compared';
		}

		case 'b-only': {
			return 'plan recorded for B only (A has none): not compared';
		}

		case 'same': {
			return 'plan: no changes';
		}

		case 'changed': {
			const parts = [plan.steps.length > 0 ? count(plan.steps.length, 'step') : '', plan.resolved_values.length > 0 ? count(plan.resolved_values.length, 'resolved value') : '', plan.args.length > 0 ? count(plan.args.length, 'arg') : '', plan.env.length > 0 ? `${plan.env.length} env` : ''];
			return `plan: ${parts.filter(part => part !== '').join(', ')} changed`;
		}
	}
}

/** An entry whose two sides show the same: what differs is redacted (a rotated secret). */
export function differsOnlyInSecret(entry: PlanEntryDiff): boolean {
	return entry.a !== null && entry.b !== null && sameJson(entry.a, entry.b);
}
