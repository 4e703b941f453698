import {Box} from 'ink';
import React from 'react';
import type {Run} from '../../core/run.js';
import {runSummary} from '../run-labels.js';
import type {RunTab} from '../state/console-state.js';
import {useUi} from '../ui-context.js';
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
}

/** Two lines over a run's tabs: the run in one line, then the tabs. */
export function RunBanner({run, tab, nowMs, stuckAfterMs, width, counts, loading}: RunBannerProps): React.JSX.Element {
	const {symbols} = useUi();
	return (
		<Box flexDirection="column" width={width} height={2}>
			<Line segments={run ? runSummary(run, nowMs, stuckAfterMs, symbols) : [{text: loading ? 'loading…' : 'run not found', dim: true}]} width={width} />
			<Tabs tab={tab} width={width} counts={counts} />
		</Box>
	);
}
