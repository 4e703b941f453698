import {Text} from 'ink';
import type React from 'react';
import {fitLine, type Line as LineType} from '../text.js';
import {DEFAULT_PALETTE} from '../palette.js';
import {useUi} from '../ui-context.js';

export interface LineProps {
	segments: LineType;
	width: number;
	/** Draw the whole line reversed (the selected row). */
	inverse?: boolean;
	ellipsis?: string;
}

/**
 * One terminal row: styled segments cut and padded to exactly `width`
 * columns, so the frame never wraps. Colour is dropped under NO_COLOR.
 * A segment's link becomes an OSC 8 hyperlink around its text once the text
 * is fitted (the escape takes no columns); ink passes OSC sequences through.
 */
export function Line({segments, width, inverse = false, ellipsis}: LineProps): React.JSX.Element {
	const {color, ascii, palette = DEFAULT_PALETTE, hyperlinks = false} = useUi();
	const fitted = fitLine(segments, width, true, ellipsis ?? (ascii ? '~' : '…'));
	return (
		<Text wrap="truncate" inverse={inverse}>
			{fitted.map((segment, i) => (
				<Text
					// eslint-disable-next-line react/no-array-index-key
					key={i}
					color={color ? palette(segment.color) : undefined}
					dimColor={color && segment.dim}
					inverse={segment.inverse === true || (segment.match === true && !inverse)}
					underline={segment.match === true && inverse}
					bold={segment.bold === true || segment.match === true}
				>
					{hyperlinks && segment.link !== undefined ? hyperlink(segment.link, segment.text) : segment.text}
				</Text>
			))}
		</Text>
	);
}

/** OSC 8: `url` must hold no control character (core/link-template.ts encodes and strips them). */
function hyperlink(url: string, text: string): string {
	return `\u001b]8;;${url}\u001b\\${text}\u001b]8;;\u001b\\`;
}
