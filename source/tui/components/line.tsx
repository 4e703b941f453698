import {Text} from 'ink';
import type React from 'react';
import {memo} from 'react';
import {fitLine, type Line as LineType, type Segment} from '../text.js';
import {DEFAULT_PALETTE, type Palette} from '../palette.js';
import {useUi} from '../ui-context.js';

export interface LineProps {
	segments: LineType;
	width: number;
	/** Draw the whole line reversed (the selected row). */
	inverse?: boolean;
	ellipsis?: string;
}

/** A run of text drawn with one style: what one ink Text gets. */
export interface DrawnRun {
	text: string;
	color: string | undefined;
	dim: boolean;
	inverse: boolean;
	underline: boolean;
	bold: boolean;
	link: string | undefined;
}

/**
 * The runs a fitted line draws as: each segment's style as ink will see it
 * (colour and dim dropped under NO_COLOR, a match reversed or underlined),
 * neighbours with the same style joined. ink restyles every Text of the
 * screen on each frame (chalk, then its own ANSI tokenizer), so a row of
 * eleven segments that draws as five runs costs it half as much; the text on
 * screen is the same. Links stay runs of their own (each its OSC 8).
 */
export function drawnRuns(fitted: LineType, rowInverse: boolean, color: boolean, palette: Palette): DrawnRun[] {
	const runs: DrawnRun[] = [];
	for (const segment of fitted) {
		if (segment.text === '') {
			continue;
		}

		const run: DrawnRun = {
			text: segment.text,
			color: color ? palette(segment.color) : undefined,
			dim: color && segment.dim === true,
			inverse: segment.inverse === true || (segment.match === true && !rowInverse),
			underline: segment.match === true && rowInverse,
			bold: segment.bold === true || segment.match === true,
			link: segment.link,
		};
		const last = runs.at(-1);
		if (last !== undefined && last.link === undefined && run.link === undefined && last.color === run.color && last.dim === run.dim && last.inverse === run.inverse && last.underline === run.underline && last.bold === run.bold) {
			last.text += run.text;
		} else {
			runs.push(run);
		}
	}

	return runs;
}

/**
 * One terminal row: styled segments cut and padded to exactly `width`
 * columns, so the frame never wraps. Colour is dropped under NO_COLOR.
 * A segment's link becomes an OSC 8 hyperlink around its text once the text
 * is fitted (the escape takes no columns); ink passes OSC sequences through.
 */
function LineView({segments, width, inverse = false, ellipsis}: LineProps): React.JSX.Element {
	const {color, ascii, palette = DEFAULT_PALETTE, hyperlinks = false} = useUi();
	const runs = drawnRuns(fitLine(segments, width, true, ellipsis ?? (ascii ? '~' : '…')), inverse, color, palette);
	return (
		<Text wrap="truncate" inverse={inverse}>
			{runs.map((run, i) => (
				<Text
					// eslint-disable-next-line react/no-array-index-key
					key={i}
					color={run.color}
					dimColor={run.dim}
					inverse={run.inverse}
					underline={run.underline}
					bold={run.bold}
				>
					{hyperlinks && run.link !== undefined ? hyperlink(run.link, run.text) : run.text}
				</Text>
			))}
		</Text>
	);
}

function sameSegment(a: Segment, b: Segment): boolean {
	return a.text === b.text && a.color === b.color && a.bold === b.bold && a.dim === b.dim && a.inverse === b.inverse && a.match === b.match && a.link === b.link;
}

/** Props that draw the same row: the segments compared by value, since callers build them afresh each render. */
export function sameLine(a: LineProps, b: LineProps): boolean {
	if (a.width !== b.width || (a.inverse ?? false) !== (b.inverse ?? false) || a.ellipsis !== b.ellipsis || a.segments.length !== b.segments.length) {
		return false;
	}

	for (let i = 0; i < a.segments.length; i++) {
		if (!sameSegment(a.segments[i]!, b.segments[i]!)) {
			return false;
		}
	}

	return true;
}

/**
 * Memoized by value: a keypress that moves the cursor or scrolls by one
 * leaves most rows as they were, and those skip React's render and ink's
 * node updates (a row's key is its index in the list, so a scrolled-by row
 * keeps its element). The UI context still redraws them when it changes.
 */
export const Line = memo(LineView, sameLine);

/** OSC 8: `url` must hold no control character (core/link-template.ts encodes and strips them). */
function hyperlink(url: string, text: string): string {
	return `\u001b]8;;${url}\u001b\\${text}\u001b]8;;\u001b\\`;
}
