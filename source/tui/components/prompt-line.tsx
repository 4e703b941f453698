import type React from 'react';
import type {Prompt} from '../state/console-state.js';
import {clean, truncateStart} from '../text.js';
import {useUi} from '../ui-context.js';
import {Line} from './line.js';

export interface PromptLineProps {
	prompt: Prompt;
	width: number;
}

const LEADS = {filter: 'filter ', search: '/', command: ':'} as const;
const HINTS = {
	filter: 'status:failed env:prod target:api text',
	search: 'text to find (↑ earlier)',
	command: 'run <id> | diff <a> <b> | q',
} as const;

/** The one-line editor for "/", "f" and ":": what you type, a cursor block, and a hint while empty. */
export function PromptLine({prompt, width}: PromptLineProps): React.JSX.Element {
	const {ascii} = useUi();
	const lead = LEADS[prompt.kind];
	const cursor = ascii ? '_' : '█';
	const room = Math.max(1, width - lead.length - 1);
	const text = truncateStart(clean(prompt.text), room, ascii ? '<' : '…');
	return <Line segments={[{text: lead, bold: true, color: 'cyan'}, {text}, {text: cursor, color: 'cyan'}, ...(prompt.text === '' ? [{text: ` ${HINTS[prompt.kind]}  (enter apply, esc cancel)`, dim: true}] : [])]} width={width} />;
}
