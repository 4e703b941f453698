// Frozen copy of source/core/tree.ts as it was before issue 20 (index-based tree, streamed runs show):
// the oracle test/core/run-report-stream.test.ts compares the new report with. Do not edit.
import {displayName} from '../../../source/core/span-name.js';
import type {Span} from '../../../source/core/span.js';

export interface TraceTree {
	/** The trace's root: the earliest span without a (known) parent, or null for an empty trace. */
	root: Span | null;
	/** Spans without a known parent: declared roots first, then by start. The first one is `root`. */
	roots: Span[];
	byId: ReadonlyMap<string, Span>;
	/** Children of each span, ordered by start then span id. */
	children: ReadonlyMap<string, Span[]>;
	/** Parent of each span as the tree sees it (broken links and cycles cut). */
	parent: ReadonlyMap<string, string | null>;
	/** Depth below its root (a root has depth 0). */
	depth: ReadonlyMap<string, number>;
}

export function byStart(a: Span, b: Span): number {
	return a.start_ms - b.start_ms || (a.span_id < b.span_id ? -1 : a.span_id > b.span_id ? 1 : 0);
}

/**
 * Build the tree without recursion (traces can be 10,000 levels deep). A span
 * whose parent is unknown, or that sits on a parent cycle, becomes a root.
 */
export function buildTree(spans: readonly Span[]): TraceTree {
	const byId = new Map<string, Span>();
	for (const span of spans) {
		byId.set(span.span_id, span);
	}

	const children = new Map<string, Span[]>();
	const candidateRoots: Span[] = [];
	for (const span of byId.values()) {
		const parentId = span.parent_span_id;
		if (parentId !== null && parentId !== span.span_id && byId.has(parentId)) {
			let list = children.get(parentId);
			if (!list) {
				list = [];
				children.set(parentId, list);
			}

			list.push(span);
		} else {
			candidateRoots.push(span);
		}
	}

	for (const list of children.values()) {
		list.sort(byStart);
	}

	candidateRoots.sort(byStart);
	const parent = new Map<string, string | null>();
	const depth = new Map<string, number>();
	const roots: Span[] = [];
	const visit = (root: Span): void => {
		roots.push(root);
		parent.set(root.span_id, null);
		depth.set(root.span_id, 0);
		const stack: Span[] = [root];
		while (stack.length > 0) {
			const current = stack.pop()!;
			const d = depth.get(current.span_id)! + 1;
			for (const child of children.get(current.span_id) ?? []) {
				if (!parent.has(child.span_id)) {
					parent.set(child.span_id, current.span_id);
					depth.set(child.span_id, d);
					stack.push(child);
				}
			}
		}
	};

	for (const root of candidateRoots) {
		visit(root);
	}

	// Whatever is left sits on a cycle: cut it at its earliest span.
	const unreached = [...byId.values()].filter(span => !parent.has(span.span_id)).sort(byStart);
	for (const span of unreached) {
		if (!parent.has(span.span_id)) {
			visit(span);
		}
	}

	for (const [id, list] of children) {
		children.set(
			id,
			list.filter(child => parent.get(child.span_id) === id),
		);
	}

	// A span that declares no parent is the root; one whose parent was lost only stands in for it.
	roots.sort((a, b) => Number(a.parent_span_id !== null) - Number(b.parent_span_id !== null) || byStart(a, b));
	return {root: roots[0] ?? null, roots, byId, children, parent, depth};
}

/** Spans from the root down to the given span (inclusive); empty when unknown. */
export function pathTo(tree: TraceTree, spanId: string): Span[] {
	const path: Span[] = [];
	let current: string | null | undefined = spanId;
	while (current !== null && current !== undefined) {
		const span = tree.byId.get(current);
		if (!span) {
			break;
		}

		path.push(span);
		current = tree.parent.get(current);
	}

	return path.reverse();
}

/** Step paths keep at most this many names: deep traces would otherwise make paths quadratic in size. */
export const MAX_PATH_SEGMENTS = 32;

/** A span's parent and name, as a path walker sees them. */
export interface PathLink {
	parent: string | null;
	name: string;
}

/**
 * Walk up from a span collecting names below the root, at most
 * MAX_PATH_SEGMENTS of them ("…/" marks a cut). Shared by the tree and the
 * store so both spell a path the same way.
 */
export function walkStepPath(lookup: (spanId: string) => PathLink | undefined, spanId: string): string {
	const names: string[] = [];
	let link = lookup(spanId);
	while (link && link.parent !== null) {
		if (names.length === MAX_PATH_SEGMENTS) {
			names.push('…');
			break;
		}

		names.push(link.name);
		link = lookup(link.parent);
	}

	return names.reverse().join('/');
}

/**
 * A span's step path: names joined with "/" from below the root, so the same
 * step lines up across runs ("deploy/migrate"). The root's own path is "".
 */
export function stepPath(tree: TraceTree, spanId: string): string {
	return walkStepPath(id => {
		const span = tree.byId.get(id);
		return span && {parent: tree.parent.get(id) ?? null, name: displayName(span)};
	}, spanId);
}

/** Pre-order walk (parents before children, children by start), without recursion. */
export function walk(tree: TraceTree): Span[] {
	const out: Span[] = [];
	const stack = [...tree.roots].reverse();
	while (stack.length > 0) {
		const span = stack.pop()!;
		out.push(span);
		const kids = tree.children.get(span.span_id);
		if (kids) {
			for (let i = kids.length - 1; i >= 0; i--) {
				stack.push(kids[i]!);
			}
		}
	}

	return out;
}

/** Ids of every span below the given one. */
export function descendants(tree: TraceTree, spanId: string): Span[] {
	const out: Span[] = [];
	const stack = [...(tree.children.get(spanId) ?? [])];
	while (stack.length > 0) {
		const span = stack.pop()!;
		out.push(span);
		stack.push(...(tree.children.get(span.span_id) ?? []));
	}

	return out;
}
