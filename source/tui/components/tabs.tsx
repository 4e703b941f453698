import type React from 'react';
import type {RunTab} from '../state/console-state.js';
import type {Line as LineType} from '../text.js';
import {Line} from './line.js';

const TABS: ReadonlyArray<{tab: RunTab; label: string; key: string}> = [
	{tab: 'trace', label: 'trace', key: 't'},
	{tab: 'compensations', label: 'compensations', key: 'C'},
	{tab: 'decisions', label: 'decisions', key: 'a'},
];

export interface TabsProps {
	tab: RunTab;
	width: number;
	/** Counts beside the tab names ("compensations 3"). */
	counts?: Partial<Record<RunTab, string>>;
}

/** The run's tabs; the current one in brackets, so it reads without colour. */
export function Tabs({tab, width, counts = {}}: TabsProps): React.JSX.Element {
	const segments: LineType = [];
	for (const t of TABS) {
		const count = counts[t.tab] ? ` ${counts[t.tab]}` : '';
		const current = t.tab === tab;
		segments.push({text: current ? `[${t.label}${count}]` : ` ${t.label}${count} `, bold: current, color: current ? 'cyan' : undefined, dim: !current});
		segments.push({text: ' '});
	}

	return <Line segments={segments} width={width} />;
}
