import {displayName} from '../../core/span-name.js';
import type {Span} from '../../core/span.js';
import type {TraceTree} from '../../core/tree.js';
import {statusSymbol, type Symbols} from '../../core/symbols.js';
import {statusColor} from '../theme.js';
import {clean, type Line} from '../text.js';

export interface TreeRow {
	span: Span;
	depth: number;
	hasChildren: boolean;
	expanded: boolean;
}

export interface Expansion {
	expanded: ReadonlySet<string>;
	collapsed: ReadonlySet<string>;
	/** Spans shallower than this are open unless collapsed. */
	defaultDepth: number;
}

/** Small traces open fully; big ones open their top levels and let you dig. */
export function defaultExpandDepth(spanCount: number): number {
	return spanCount <= 2000 ? Number.POSITIVE_INFINITY : 2;
}

export function isExpanded(expansion: Expansion, spanId: string, depth: number): boolean {
	return expansion.expanded.has(spanId) || (!expansion.collapsed.has(spanId) && depth < expansion.defaultDepth);
}

/**
 * The rows a tree shows with its collapse state: a pre-order walk that does
 * not enter collapsed spans. Iterative, so a 10,000-level chain or a
 * 100,000-span trace costs one pass and no call stack.
 */
export function visibleRows(tree: TraceTree, expansion: Expansion): TreeRow[] {
	const rows: TreeRow[] = [];
	const spans: Span[] = [];
	const depths: number[] = [];
	for (let i = tree.roots.length - 1; i >= 0; i--) {
		spans.push(tree.roots[i]!);
		depths.push(0);
	}

	while (spans.length > 0) {
		const span = spans.pop()!;
		const depth = depths.pop()!;
		const kids = tree.children.get(span.span_id);
		const hasChildren = kids !== undefined && kids.length > 0;
		const expanded = hasChildren && isExpanded(expansion, span.span_id, depth);
		rows.push({span, depth, hasChildren, expanded});
		if (expanded) {
			for (let i = kids.length - 1; i >= 0; i--) {
				spans.push(kids[i]!);
				depths.push(depth + 1);
			}
		}
	}

	return rows;
}

/** Row index by span id, for keeping a selection on its span as rows come and go. */
export function rowIndexById(rows: readonly TreeRow[]): Map<string, number> {
	const map = new Map<string, number>();
	for (let i = 0; i < rows.length; i++) {
		map.set(rows[i]!.span.span_id, i);
	}

	return map;
}

/** Indentation stops growing here; deeper rows show their depth instead. */
export const MAX_INDENT = 12;

export interface TreeCellOptions {
	symbols: Symbols;
	isCause: boolean;
	causeLabel: string;
	/** A failure something above it got past (a retry, a fallback): shown, not blamed. */
	isRecovered?: boolean;
}

/** The tree column: indent, twisty, status symbol, name, retries and the root-cause flag. */
export function treeCell(row: TreeRow, options: TreeCellOptions): Line {
	const {symbols} = options;
	const {span} = row;
	const indent = row.depth <= MAX_INDENT ? '  '.repeat(row.depth) : `${'  '.repeat(MAX_INDENT - 2)}${String(row.depth).padStart(3)} `;
	const twisty = row.hasChildren ? (row.expanded ? symbols.expanded : symbols.collapsed) : symbols.leaf;
	const line: Line = [
		{text: `${indent}${twisty} `, dim: true},
		{text: statusSymbol(span.status, symbols), color: statusColor(span.status)},
		{text: ` ${clean(displayName(span))}`, bold: row.depth === 0},
	];
	if (span.retries.length > 0) {
		line.push({text: ` ${symbols.retry}${span.retries.length}`, color: 'yellow'});
	}

	if (options.isCause) {
		line.push({text: ` ${options.causeLabel}`, color: 'red', bold: true});
	} else if (options.isRecovered) {
		line.push({text: ' recovered', dim: true});
	}

	return line;
}
