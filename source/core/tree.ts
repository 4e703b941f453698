import {displayName} from './span-name.js';
import type {Span} from './span.js';

/**
 * The tree by index, for passes over the whole trace (the report, the
 * critical path, recovered failures): typed arrays instead of maps of ids,
 * so a 100k-span trace costs a few arrays, not a map entry per span and field.
 */
export interface IndexedTree {
	/** Each span once, in the order given (a later span with the same id takes the earlier one's place). */
	spans: readonly Span[];
	indexOf: ReadonlyMap<string, number>;
	/** Index of the span's parent as the tree sees it, -1 for a root. */
	parent: Int32Array;
	depth: Int32Array;
	/** The children of span i, by start: childIndex[childStart[i]] up to childIndex[childStart[i + 1]]. */
	childStart: Int32Array;
	childIndex: Int32Array;
	/** Every span's index in pre-order (walk's order). */
	order: Int32Array;
}

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
	/** The same tree by index; the maps above are views of it. */
	indexed: IndexedTree;
}

export function byStart(a: Span, b: Span): number {
	return a.start_ms - b.start_ms || (a.span_id < b.span_id ? -1 : a.span_id > b.span_id ? 1 : 0);
}

/**
 * A read-only map by span id over the indexed tree: lookups go through the
 * one id index all views share. Iterating (which the report never does)
 * builds a real map once, in the spans' order.
 */
class IndexView<V> implements ReadonlyMap<string, V> {
	readonly #indexOf: ReadonlyMap<string, number>;
	readonly #at: (index: number) => V | undefined;
	#map: Map<string, V> | undefined;

	constructor(indexOf: ReadonlyMap<string, number>, at: (index: number) => V | undefined) {
		this.#indexOf = indexOf;
		this.#at = at;
	}

	get(key: string): V | undefined {
		const index = this.#indexOf.get(key);
		return index === undefined ? undefined : this.#at(index);
	}

	has(key: string): boolean {
		const index = this.#indexOf.get(key);
		return index !== undefined && this.#at(index) !== undefined;
	}

	#all(): Map<string, V> {
		if (this.#map === undefined) {
			this.#map = new Map();
			for (const [key, index] of this.#indexOf) {
				const value = this.#at(index);
				if (value !== undefined) {
					this.#map.set(key, value);
				}
			}
		}

		return this.#map;
	}

	get size(): number {
		return this.#all().size;
	}

	entries(): MapIterator<[string, V]> {
		return this.#all().entries();
	}

	keys(): MapIterator<string> {
		return this.#all().keys();
	}

	values(): MapIterator<V> {
		return this.#all().values();
	}

	forEach(callback: (value: V, key: string, map: ReadonlyMap<string, V>) => void, thisArg?: unknown): void {
		for (const [key, value] of this.#all()) {
			callback.call(thisArg, value, key, this);
		}
	}

	[Symbol.iterator](): MapIterator<[string, V]> {
		return this.entries();
	}
}

/** Span indices by start, then span id (byStart): one sort gives every children list and the roots their order. */
function indicesByStart(spans: readonly Span[]): Int32Array {
	const n = spans.length;
	const starts = new Float64Array(n);
	const order = new Int32Array(n);
	for (let i = 0; i < n; i++) {
		starts[i] = spans[i]!.start_ms;
		order[i] = i;
	}

	return order.sort((a, b) => {
		const d = starts[a]! - starts[b]!;
		if (d) {
			return d;
		}

		const x = spans[a]!.span_id;
		const y = spans[b]!.span_id;
		return x < y ? -1 : x > y ? 1 : 0;
	});
}

/**
 * Build the tree without recursion (traces can be 10,000 levels deep). A span
 * whose parent is unknown, or that sits on a parent cycle, becomes a root.
 */
export function buildTree(given: readonly Span[]): TraceTree {
	const indexOf = new Map<string, number>();
	const spans: Span[] = [];
	for (const span of given) {
		const at = indexOf.get(span.span_id);
		if (at === undefined) {
			indexOf.set(span.span_id, spans.length);
			spans.push(span);
		} else {
			spans[at] = span;
		}
	}

	const n = spans.length;
	// The declared links that hold (the parent arrived and is not the span itself), as lists in start order.
	const declared = new Int32Array(n);
	const linkStart = new Int32Array(n + 1);
	for (let i = 0; i < n; i++) {
		const span = spans[i]!;
		const parentId = span.parent_span_id;
		const p = parentId === null || parentId === span.span_id ? undefined : indexOf.get(parentId);
		declared[i] = p ?? -1;
		if (p !== undefined) {
			linkStart[p + 1]!++;
		}
	}

	for (let i = 0; i < n; i++) {
		linkStart[i + 1]! += linkStart[i]!;
	}

	const sorted = indicesByStart(spans);
	const fill = linkStart.slice(0, n);
	const links = new Int32Array(linkStart[n]!);
	for (let s = 0; s < n; s++) {
		const i = sorted[s]!;
		const p = declared[i]!;
		if (p >= 0) {
			links[fill[p]!++] = i;
		}
	}

	// -2: not reached yet. Each span is pushed once, so one stack of n serves every visit.
	const parent = new Int32Array(n).fill(-2);
	const depth = new Int32Array(n);
	const stack = new Int32Array(n);
	const visit = (root: number): void => {
		parent[root] = -1;
		depth[root] = 0;
		let top = 0;
		stack[top++] = root;
		while (top > 0) {
			const current = stack[--top]!;
			const d = depth[current]! + 1;
			for (let l = linkStart[current]!; l < linkStart[current + 1]!; l++) {
				const child = links[l]!;
				if (parent[child] === -2) {
					parent[child] = current;
					depth[child] = d;
					stack[top++] = child;
				}
			}
		}
	};

	for (let s = 0; s < n; s++) {
		if (declared[sorted[s]!] === -1) {
			visit(sorted[s]!);
		}
	}

	// Whatever is left sits on a cycle: cut it at its earliest span.
	for (let s = 0; s < n; s++) {
		if (parent[sorted[s]!] === -2) {
			visit(sorted[s]!);
		}
	}

	// The tree's children: the declared links the visits kept (a cut link is gone).
	const childStart = new Int32Array(n + 1);
	const childIndex = new Int32Array(links.length);
	let kept = 0;
	for (let p = 0; p < n; p++) {
		childStart[p] = kept;
		for (let l = linkStart[p]!; l < linkStart[p + 1]!; l++) {
			if (parent[links[l]!] === p) {
				childIndex[kept++] = links[l]!;
			}
		}
	}

	childStart[n] = kept;

	// A span that declares no parent is the root; one whose parent was lost only stands in for it.
	const rootIndices: number[] = [];
	for (const declaredRoot of [true, false]) {
		for (let s = 0; s < n; s++) {
			const i = sorted[s]!;
			if (parent[i] === -1 && (spans[i]!.parent_span_id === null) === declaredRoot) {
				rootIndices.push(i);
			}
		}
	}

	const order = new Int32Array(n);
	let visited = 0;
	let top = 0;
	for (let r = rootIndices.length - 1; r >= 0; r--) {
		stack[top++] = rootIndices[r]!;
	}

	while (top > 0) {
		const current = stack[--top]!;
		order[visited++] = current;
		for (let c = childStart[current + 1]! - 1; c >= childStart[current]!; c--) {
			stack[top++] = childIndex[c]!;
		}
	}

	const indexed: IndexedTree = {spans, indexOf, parent, depth, childStart, childIndex, order};
	// Spans with a declared child keep an entry (empty when every link was cut), as a map of lists would.
	const lists: Array<Span[] | undefined> = [];
	const roots = rootIndices.map(i => spans[i]!);
	return {
		root: roots[0] ?? null,
		roots,
		byId: new IndexView(indexOf, i => spans[i]),
		children: new IndexView(indexOf, i => {
			if (linkStart[i] === linkStart[i + 1]) {
				return undefined;
			}

			lists[i] ??= childrenOf(indexed, i);
			return lists[i];
		}),
		parent: new IndexView(indexOf, i => (parent[i] === -1 ? null : spans[parent[i]!]!.span_id)),
		depth: new IndexView(indexOf, i => depth[i]),
		indexed,
	};
}

function childrenOf({spans, childStart, childIndex}: IndexedTree, i: number): Span[] {
	const out: Span[] = [];
	for (let c = childStart[i]!; c < childStart[i + 1]!; c++) {
		out.push(spans[childIndex[c]!]!);
	}

	return out;
}

/** Spans from the root down to the given span (inclusive); empty when unknown. */
export function pathTo(tree: TraceTree, spanId: string): Span[] {
	const {spans, indexOf, parent} = tree.indexed;
	const path: Span[] = [];
	for (let i = indexOf.get(spanId) ?? -1; i >= 0; i = parent[i]!) {
		path.push(spans[i]!);
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

/**
 * Every span's step path by index, as stepPath spells it, in one pass down
 * the tree: a span's path is its parent's and its own name, so no span walks
 * up to its root. Below MAX_PATH_SEGMENTS the path keeps the last names of
 * the chain of ancestors the pre-order walk holds.
 */
export function stepPathsByIndex(tree: TraceTree): string[] {
	const {spans, parent, depth, order} = tree.indexed;
	const paths: string[] = new Array<string>(spans.length);
	const chain: string[] = [];
	for (const i of order) {
		const d = depth[i]!;
		const name = displayName(spans[i]!);
		chain[d] = name;
		if (d === 0) {
			paths[i] = '';
		} else if (d === 1) {
			paths[i] = name;
		} else if (d <= MAX_PATH_SEGMENTS) {
			paths[i] = `${paths[parent[i]!]!}/${name}`;
		} else {
			paths[i] = `…/${chain.slice(d - MAX_PATH_SEGMENTS + 1, d + 1).join('/')}`;
		}
	}

	return paths;
}

/** Pre-order walk (parents before children, children by start), without recursion. */
export function walk(tree: TraceTree): Span[] {
	const {spans, order} = tree.indexed;
	return Array.from(order, i => spans[i]!);
}

/** Ids of every span below the given one. */
export function descendants(tree: TraceTree, spanId: string): Span[] {
	const {spans, indexOf, childStart, childIndex} = tree.indexed;
	const start = indexOf.get(spanId);
	if (start === undefined) {
		return [];
	}

	const out: Span[] = [];
	const stack: number[] = [];
	for (let c = childStart[start]!; c < childStart[start + 1]!; c++) {
		stack.push(childIndex[c]!);
	}

	while (stack.length > 0) {
		const i = stack.pop()!;
		out.push(spans[i]!);
		for (let c = childStart[i]!; c < childStart[i + 1]!; c++) {
			stack.push(childIndex[c]!);
		}
	}

	return out;
}
