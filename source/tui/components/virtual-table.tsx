import type React from 'react';
import {fit, fitLine, lineWidth, type Line as LineType, type Segment} from '../text.js';
import {useUi} from '../ui-context.js';
import {VirtualList} from './virtual-list.js';

export type Cell = string | Segment | LineType;

export interface Column<T> {
	id: string;
	title: string;
	/** Fixed width, or the minimum width of a flex column. */
	width: number;
	/** Share of the spare width; columns without it keep `width`. */
	flex?: number;
	/** Lower stays longer: when the row is too narrow, the highest priorities go first. */
	priority: number;
	align?: 'left' | 'right';
	cell: (row: T, index: number) => Cell;
}

export interface LaidOutColumn<T> extends Column<T> {
	actual: number;
}

const GAP = 1;

/**
 * Columns that fit `width`: drop the least important until the fixed and
 * minimum widths fit, then share what is left among the flex columns.
 */
export function layoutColumns<T>(columns: readonly Column<T>[], width: number): Array<LaidOutColumn<T>> {
	let kept = [...columns];
	const need = (list: readonly Column<T>[]): number => list.reduce((sum, c) => sum + c.width, 0) + GAP * Math.max(0, list.length - 1);
	while (kept.length > 1 && need(kept) > width) {
		const worst = kept.reduce((a, b) => (b.priority >= a.priority ? b : a));
		kept = kept.filter(c => c !== worst);
	}

	const spare = Math.max(0, width - need(kept));
	const weights = kept.reduce((sum, c) => sum + (c.flex ?? 0), 0);
	let given = 0;
	const flexColumns = kept.filter(c => (c.flex ?? 0) > 0);
	return kept.map(column => {
		let actual = column.width;
		if ((column.flex ?? 0) > 0 && weights > 0) {
			const isLast = column === flexColumns.at(-1);
			const share = isLast ? spare - given : Math.floor((spare * column.flex!) / weights);
			given += share;
			actual += share;
		}

		return {...column, actual: Math.max(0, Math.min(actual, width))};
	});
}

function cellLine(cell: Cell): LineType {
	if (typeof cell === 'string') {
		return [{text: cell}];
	}

	return Array.isArray(cell) ? cell : [cell];
}

/** One row's segments for laid-out columns: each cell cut and padded to its column. */
export function rowSegments<T>(columns: ReadonlyArray<LaidOutColumn<T>>, row: T, index: number, ellipsis: string): LineType {
	const out: LineType = [];
	columns.forEach((column, i) => {
		if (i > 0) {
			out.push({text: ' '.repeat(GAP)});
		}

		const line = cellLine(column.cell(row, index));
		if (column.align === 'right') {
			const w = lineWidth(line);
			if (w < column.actual) {
				out.push({text: ' '.repeat(column.actual - w)});
				out.push(...line);
				return;
			}
		}

		out.push(...fitLine(line, column.actual, true, ellipsis));
	});
	return out;
}

export function headerSegments<T>(columns: ReadonlyArray<LaidOutColumn<T>>): LineType {
	return [{text: columns.map(c => fit(c.title, c.actual, {align: c.align})).join(' '.repeat(GAP)), bold: true}];
}

export interface VirtualTableProps<T> {
	rows: readonly T[];
	columns: ReadonlyArray<Column<T>>;
	width: number;
	height: number;
	selected: number;
	gutterMark?: (row: T) => Segment | undefined;
	empty?: string;
	header?: boolean;
	focused?: boolean;
}

/** A VirtualList whose rows are cells in columns that fit the width. */
export function VirtualTable<T>({rows, columns, width, height, selected, gutterMark, empty, header = true, focused}: VirtualTableProps<T>): React.JSX.Element {
	const {ascii} = useUi();
	const laid = layoutColumns(columns, Math.max(0, width - 2));
	const ellipsis = ascii ? '~' : '…';
	return <VirtualList count={rows.length} height={height} width={width} selected={selected} header={header ? headerSegments(laid) : undefined} renderRow={index => rowSegments(laid, rows[index]!, index, ellipsis)} gutterMark={gutterMark ? index => gutterMark(rows[index]!) : undefined} empty={empty} focused={focused} />;
}
