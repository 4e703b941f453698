import {currentStepSql} from '../source/store/current-step.js';
import {bareNodeMs, tracedeckMs} from './spawn-timed.js';

/**
 * The floor for `tracedeck runs list --json`: a `node -e` that does exactly
 * the reads runs list does and prints the same bytes. One read transaction:
 * the newest 50 run rows (listRunsProgram's SELECT, its tie-break
 * included), and for each running run its current step (hydrate in
 * run-reads.ts, with the same SQL), printed as writeJson prints (2-space
 * JSON, DEL, C1 controls and U+2028/9 escaped). What it leaves out is what
 * tracedeck adds around those reads: its own modules, the flags, the
 * settings, the header and owner checks of the open.
 */
export const BARE_RUNS_LIST = `const D = require('better-sqlite3');
const db = new D(process.env.DB, {readonly: true, fileMustExist: true});
const list = db.prepare('SELECT body FROM runs ORDER BY started_ms DESC, run_id DESC LIMIT ?').pluck();
const step = db.prepare(${JSON.stringify(currentStepSql('?'))}).pluck();
const runs = db.transaction(() => list.all(50).map(body => {
	const run = JSON.parse(body);
	if (run.status === 'running') run.current_step = step.get(run.trace_id) ?? null;
	return run;
}))();
db.close();
process.stdout.write(JSON.stringify(runs, null, 2).replace(/[\\u007f-\\u009f\\u2028\\u2029]/g, c => '\\\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')) + '\\n');`;

/** One cold `runs list --json` and one cold bare run, checked to print the same bytes: the two sides do the same work. */
export function checkSameOutput(home: string, dbFile: string): void {
	const cli = tracedeckMs(home, ['runs', 'list', '--json']).stdout;
	const bare = bareNodeMs(dbFile, BARE_RUNS_LIST).stdout;
	if (cli !== bare) {
		throw new Error(`the bare runs-list baseline printed other bytes than tracedeck runs list --json (${bare.length} vs ${cli.length} chars)`);
	}
}
