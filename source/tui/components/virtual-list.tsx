import {Box} from 'ink';
import type React from 'react';
import {useRef} from 'react';
import type {Line as LineType, Segment} from '../text.js';
import {useUi} from '../ui-context.js';
import {Line} from './line.js';

/** The first row to show so that `selected` stays in view, moving as little as possible from `previousTop`. */
export function scrollTop(previousTop: number, selected: number, height: number, count: number): number {
	if (height <= 0 || count <= height) {
		return 0;
	}

	let top = previousTop;
	if (selected < top) {
		top = selected;
	} else if (selected >= top + height) {
		top = selected - height + 1;
	}

	return Math.max(0, Math.min(top, count - height));
}

/**
 * The top to start from after the list's height changed (a resize): the top
 * of the list when the selection fits on screen from there (what was above it,
 * the running runs at the head of the runs list, comes back into view), else
 * where it was; scrollTop then keeps the selection in view.
 */
export function resizedTop(previousTop: number, selected: number, height: number): number {
	return selected < height ? 0 : previousTop;
}

export interface VirtualListProps {
	count: number;
	height: number;
	width: number;
	selected: number;
	/** The row's segments, without the two-column gutter. */
	renderRow: (index: number, width: number) => LineType;
	/** A mark in the gutter's second column (e.g. the run marked for diff). */
	gutterMark?: (index: number) => Segment | undefined;
	header?: LineType;
	empty?: string;
	/** Draw the selection (false while another pane has focus). */
	focused?: boolean;
}

/**
 * A virtualized selectable list: whatever `count` is, only the rows that fit
 * in `height` are built and rendered. The selected row carries a cursor
 * glyph in the gutter (a text cue) and is drawn reversed.
 */
export function VirtualList({count, height, width, selected, renderRow, gutterMark, header, empty, focused = true}: VirtualListProps): React.JSX.Element {
	const {symbols, ascii} = useUi();
	const topRef = useRef({top: 0, height: 0});
	const bodyHeight = Math.max(0, height - (header ? 1 : 0));
	const previous = topRef.current;
	const top = scrollTop(previous.height === bodyHeight ? previous.top : resizedTop(previous.top, selected, bodyHeight), selected, bodyHeight, count);
	topRef.current = {top, height: bodyHeight};
	const inner = Math.max(0, width - 2);
	const lines: React.JSX.Element[] = [];
	if (header) {
		lines.push(<Line key="header" segments={[{text: '  '}, ...header]} width={width} />);
	}

	if (count === 0 && empty !== undefined) {
		lines.push(<Line key="empty" segments={[{text: `  ${empty}`, dim: true}]} width={width} />);
	}

	const end = Math.min(count, top + bodyHeight);
	for (let i = top; i < end; i++) {
		const isSelected = focused && i === selected;
		const mark = gutterMark?.(i);
		const gutter: LineType = [{text: isSelected ? symbols.cursor.slice(0, 1) : ' ', bold: true}, mark ? {...mark, text: mark.text.slice(0, 1)} : {text: ' '}];
		lines.push(<Line key={i} segments={[...gutter, ...renderRow(i, inner)]} width={width} inverse={isSelected} ellipsis={ascii ? '~' : '…'} />);
	}

	// Pad to the full height so the frame below stays put.
	for (let i = lines.length; i < height; i++) {
		lines.push(<Line key={`pad-${i}`} segments={[]} width={width} />);
	}

	return (
		<Box flexDirection="column" width={width} height={height}>
			{lines}
		</Box>
	);
}
