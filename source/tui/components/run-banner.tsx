import {Box} from 'ink';
import type React from 'react';
import type {Run} from '../../core/run.js';
import {runSummary} from '../run-labels.js';
import type {RunTab} from '../state/console-state.js';
import {useUi} from '../ui-context.js';
import {clean, type Line as LineType} from '../text.js';
import {Line} from './line.js';
import {Tabs} from './tabs.js';

export interface RunBannerProps {
	run: Run | null;
	tab: RunTab;
	nowMs: number;
	stuckAfterMs: number;
	width: number;
	counts?: Partial<Record<RunTab, string>>;
	loading: boolean;
	/** Failures the run got past: a neutral note beside the summary, never a cause. */
	recovered?: number;
	/** The run's parent run, when it is stored (else the banner names the parent trace). */
	parent?: Run | null;
}

/** Longest id the banner shows whole: a correlation id or trace id is cut, so the line keeps 80 columns. */
const LINK_ID_CHARS = 14;

function cut(text: string, ellipsis: string): string {
	const chars = [...text];
	return chars.length <= LINK_ID_CHARS ? text : `${chars.slice(0, LINK_ID_CHARS - 1).join('')}${ellipsis}`;
}

/** "parent <name>" and "correlation <id>", when the run has them. */
function linkNotes(run: Run, parent: Run | null, dot: string, ellipsis: string): LineType {
	const notes: LineType = [];
	if (run.parent_trace_id !== null) {
		notes.push({text: ` ${dot} parent `, dim: true}, {text: cut(clean(parent?.name ?? run.parent_trace_id), ellipsis), color: 'cyan'});
	}

	if (run.correlation_id !== null) {
		notes.push({text: ` ${dot} correlation `, dim: true}, {text: cut(clean(run.correlation_id), ellipsis), color: 'cyan'});
	}

	return notes;
}

/** The run's one-line summary with its notes (recovered failures, links) before its id, so a narrow screen cuts the id first. */
function summaryWithNotes(summary: LineType, count: number, links: LineType, dot: string): LineType {
	const notes: LineType = count === 0 ? [] : [{text: ` ${dot} ${count} recovered failure${count === 1 ? '' : 's'}`}];
	notes.push(...links);
	return notes.length === 0 ? summary : [...summary.slice(0, -2), ...notes, ...summary.slice(-2)];
}

/** Two lines over a run's tabs: the run in one line, then the tabs. */
export function RunBanner({run, tab, nowMs, stuckAfterMs, width, counts, loading, recovered = 0, parent = null}: RunBannerProps): React.JSX.Element {
	const {symbols} = useUi();
	return (
		<Box flexDirection="column" width={width} height={2}>
			<Line segments={run ? summaryWithNotes(runSummary(run, nowMs, stuckAfterMs, symbols), recovered, linkNotes(run, parent, symbols.dot, symbols.ellipsis), symbols.dot) : [{text: loading ? 'loading…' : 'run not found', dim: true}]} width={width} />
			<Tabs tab={tab} width={width} counts={counts} />
		</Box>
	);
}
