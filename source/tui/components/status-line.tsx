import type React from 'react';
import {formatDuration} from '../../core/format-duration.js';
import type {LiveStatus} from '../../live/change-feed.js';
import type {Message} from '../state/console-state.js';
import {clean, lineWidth, type Line as LineType} from '../text.js';
import {useUi} from '../ui-context.js';
import {Line} from './line.js';

export interface StatusLineProps {
	live: LiveStatus;
	width: number;
	message: Message | null;
	/** Screen facts at the right: "row 12 of 100000", "following". */
	right?: LineType;
}

/** Live source and lag on the left (or the latest message), screen facts on the right. */
export function StatusLine({live, width, message, right = []}: StatusLineProps): React.JSX.Element {
	const {symbols} = useUi();
	const left: LineType = message
		? [{text: `${message.level === 'error' ? symbols.failed : symbols.live} ${clean(message.text)}`, color: message.level === 'error' ? 'red' : 'cyan'}]
		: [{text: `${symbols.live} `, color: live.source === 'polling' ? 'yellow' : 'green'}, {text: `live: ${live.source}`}, {text: ` ${symbols.dot} lag ${live.lagMs === null ? '-' : formatDuration(live.lagMs)}`, dim: true}];
	const rightWidth = lineWidth(right);
	const leftWidth = lineWidth(left);
	const segments: LineType = leftWidth + rightWidth + 1 <= width ? [...left, {text: ' '.repeat(width - leftWidth - rightWidth)}, ...right] : [...left];
	return <Line segments={segments} width={width} />;
}
