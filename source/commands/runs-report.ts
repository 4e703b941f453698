import {InputError} from '../core/errors.js';
import {sanitize} from '../core/sanitize.js';
import {verifyRun} from '../interop/run-verification.js';
import {auditRow, type AuditRow} from '../store/audit.js';
import {openCommandStore} from './command-store.js';
import {resolveHome} from '../live/settings.js';
import {COMMON_HELP, parseFlags, sinceToMs} from './command-flags.js';
import {writeJson} from './write-json.js';
import {KEY_HELP, loadVerificationKey} from './verification-key.js';
import {textTable} from './text-table.js';

const HELP = `
  Usage
    $ tracedeck runs report --format sox [--since <dur|date>]

  A change-control report for auditors: every run in the window (who ran
  what, where, when, from which commit) with the verification status of its
  stored plan, and the exceptions: runs with no recorded user, and runs whose
  plan does not check out (with --key: anything but a verified signature).

  Options
    --format sox         the report format (sox is the one there is)
    --since <dur|date>   the window (default 30d)
    --env <env>          only runs in this environment
${KEY_HELP}
${COMMON_HELP}

  Examples
    $ tracedeck runs report --format sox --since 90d --env prod --key release.pub.pem
    $ tracedeck runs report --format sox --since 30d --json > sox-2026-q4.json
`;

const FORMATS = new Set(['sox']);

export interface ReportRow extends AuditRow {
	verification: string;
	/** Why an auditor should look at this run, or null. */
	exception: string | null;
}

function countBy(rows: readonly ReportRow[], pick: (row: ReportRow) => string): Record<string, number> {
	const out: Record<string, number> = {};
	for (const row of rows) {
		const key = pick(row);
		out[key] = (out[key] ?? 0) + 1;
	}

	return out;
}

export async function run(argv: string[]): Promise<number> {
	const cli = await parseFlags(argv, HELP, {format: {type: 'string', default: 'sox'}, since: {type: 'string', default: '30d'}, env: {type: 'string'}, key: {type: 'string'}});
	const {flags} = cli;
	if (!FORMATS.has(flags.format)) {
		throw new InputError(`--format must be one of ${[...FORMATS].join(', ')}`);
	}

	const key = loadVerificationKey(flags.key);
	const now = Date.now();
	const sinceMs = sinceToMs(flags.since, now)!;
	const home = resolveHome(flags.home);
	const index = await openCommandStore(flags, {readonly: true});
	let runs;
	try {
		runs = await index.auditRuns({env: flags.env, sinceMs});
	} finally {
		await index.close();
	}

	const rows: ReportRow[] = runs.map(r => {
		const verification = verifyRun(r, home, key);
		const reasons = [...(r.user === null ? ['no user recorded'] : []), ...(verification.ok ? [] : [verification.message])];
		const exception = reasons.length === 0 ? null : reasons.join('; ');
		return {...auditRow(r), verification: verification.status, exception};
	});
	const exceptions = rows.filter(row => row.exception !== null).map(row => ({run_id: row.run_id, reason: row.exception!}));
	const report = {
		format: flags.format,
		generated_at: new Date(now).toISOString(),
		since: new Date(sinceMs).toISOString(),
		env: flags.env ?? null,
		key: key?.name ?? null,
		summary: {
			runs: rows.length,
			users: new Set(rows.map(row => row.user ?? '')).size,
			by_env: countBy(rows, row => row.env ?? '-'),
			by_status: countBy(rows, row => row.status),
			by_verification: countBy(rows, row => row.verification),
			exceptions: exceptions.length,
		},
		runs: rows,
		exceptions,
	};
	if (flags.json) {
		writeJson(report);
		return 0;
	}

	const out: string[] = [
		`SOX change report ${report.since.slice(0, 10)} .. ${report.generated_at.slice(0, 10)}${flags.env ? ` env ${sanitize(flags.env, true)}` : ''}`,
		`${rows.length} runs by ${report.summary.users} users; plan signatures ${key ? `checked with ${key.name}` : 'not checked (no --key)'}; ${exceptions.length} exceptions`,
		'',
	];
	if (rows.length > 0) {
		out.push(
			textTable(
				['RUN', 'USER', 'ENV', 'TARGET', 'STATUS', 'PLAN', 'COMMIT', 'STARTED (UTC)', 'VERIFICATION'],
				rows.map(r => [r.run_id, r.user ?? '-', r.env ?? '-', r.target ?? '-', r.status, r.plan_hash?.slice(0, 12) ?? '-', r.git_sha?.slice(0, 10) ?? '-', r.started_at.replace('T', ' ').slice(0, 19), r.verification]),
			),
			'',
		);
	}

	if (exceptions.length > 0) {
		out.push('Exceptions', ...exceptions.map(e => `  ${sanitize(e.run_id, true)}: ${sanitize(e.reason, true)}`));
	}

	process.stdout.write(`${out.join('\n').trimEnd()}\n`);
	return 0;
}
