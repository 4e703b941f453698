import type React from 'react';
import {textWidth, truncateStart, type Line as LineType} from '../text.js';
import {useUi} from '../ui-context.js';
import {Line} from './line.js';

export interface HeaderProps {
	/** Breadcrumb parts after "tracedeck", already sanitized. */
	crumbs: readonly string[];
	width: number;
	/** Shown at the right when it fits (e.g. the clock or the mark). */
	right?: string;
}

/** "tracedeck › runs › deploy api run-2026… › trace": always says where you are; cut from the left when narrow. */
export function Header({crumbs, width, right}: HeaderProps): React.JSX.Element {
	const {symbols, ascii} = useUi();
	const sep = ` ${symbols.crumb} `;
	const rightText = right ? ` ${right}` : '';
	const room = Math.max(10, width - textWidth(rightText));
	const text = truncateStart(['tracedeck', ...crumbs].join(sep), room, ascii ? '...' : '…');
	const pad = Math.max(0, width - textWidth(text) - textWidth(rightText));
	const segments: LineType = [{text, bold: true, color: 'cyan'}, {text: ' '.repeat(pad)}, {text: rightText, dim: true}];
	return <Line segments={segments} width={width} />;
}
