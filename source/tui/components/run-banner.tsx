import {Box} from 'ink';
import type React from 'react';
import type {Run} from '../../core/run.js';
import {runSummary} from '../run-labels.js';
import type {RunTab} from '../state/console-state.js';
import {useUi} from '../ui-context.js';
import type {Line as LineType} from '../text.js';
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
}

/** The run's one-line summary with the recovered-failure note before its id, so a narrow screen cuts the id first. */
function summaryWithRecovered(summary: LineType, count: number, dot: string): LineType {
	if (count === 0) {
		return summary;
	}

	const note = {text: ` ${dot} ${count} recovered failure${count === 1 ? '' : 's'}`};
	return [...summary.slice(0, -2), note, ...summary.slice(-2)];
}

/** Two lines over a run's tabs: the run in one line, then the tabs. */
export function RunBanner({run, tab, nowMs, stuckAfterMs, width, counts, loading, recovered = 0}: RunBannerProps): React.JSX.Element {
	const {symbols} = useUi();
	return (
		<Box flexDirection="column" width={width} height={2}>
			<Line segments={run ? summaryWithRecovered(runSummary(run, nowMs, stuckAfterMs, symbols), recovered, symbols.dot) : [{text: loading ? 'loading…' : 'run not found', dim: true}]} width={width} />
			<Tabs tab={tab} width={width} counts={counts} />
		</Box>
	);
}
