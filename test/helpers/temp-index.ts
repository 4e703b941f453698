import fs from 'node:fs';
import type {TraceEvent} from '../../source/core/trace-event.js';
import {RunIndex} from '../../source/store/run-index.js';
import {tempHome} from './temp-home.js';

export interface TempIndex {
	home: string;
	index: RunIndex;
	/** Close the index and remove the home now, not at exit: property tests and benches make many. */
	cleanup: () => void;
}

/** A fresh tracedeck home (tempHome) with its index open, holding `events` when given. */
export function tempIndex(events: readonly TraceEvent[] = [], prefix?: string): TempIndex {
	const home = tempHome(prefix);
	const index = RunIndex.open(home);
	if (events.length > 0) {
		index.appendEvents(events);
	}

	return {
		home,
		index,
		cleanup() {
			index.close();
			fs.rmSync(home, {recursive: true, force: true});
		},
	};
}
