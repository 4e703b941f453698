import {Text} from 'ink';
import type React from 'react';
import {fitLine, type Line as LineType} from '../text.js';
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
 */
export function Line({segments, width, inverse = false, ellipsis}: LineProps): React.JSX.Element {
	const {color, ascii} = useUi();
	const fitted = fitLine(segments, width, true, ellipsis ?? (ascii ? '~' : '…'));
	return (
		<Text wrap="truncate" inverse={inverse}>
			{fitted.map((segment, i) => (
				<Text
					// eslint-disable-next-line react/no-array-index-key
					key={i}
					color={color ? segment.color : undefined}
					bold={segment.bold}
					dimColor={color && segment.dim}
					inverse={segment.inverse}
				>
					{segment.text}
				</Text>
			))}
		</Text>
	);
}
