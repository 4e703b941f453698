import type {Run} from '../core/run.js';
import {displayName} from '../core/span-name.js';
import type {Span} from '../core/span.js';
import {clean} from './text.js';

/** What `/` looks through on the runs list: the words a row shows of a run, and its id. */
export function runSearchText(run: Run): string {
	return [run.name, run.run_id, run.env, run.target, run.failed_step, run.user, run.git?.branch]
		.filter(part => part !== null && part !== undefined && part !== '')
		.map(part => clean(String(part)))
		.join('\n');
}

/** What `/` looks through on the trace: the span's name as the tree shows it. */
export function spanSearchText(span: Span): string {
	return clean(displayName(span));
}
