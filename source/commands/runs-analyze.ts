import {analyzeRuns, describeDecisionRate, type Analysis} from '../core/analytics.js';
import {doraFigures, type DoraFigures} from '../core/dora.js';
import {formatDuration} from '../core/format-duration.js';
import {formatRate} from '../core/format-rate.js';
import {sanitize} from '../core/sanitize.js';
import {openCommandStore} from './command-store.js';
import {COMMON_HELP, parseFlags, sinceToMs} from './command-flags.js';
import {writeJson} from './write-json.js';
import {textTable} from './text-table.js';

const HELP = `
  Usage
    $ tracedeck runs analyze [--since 24h] [--env <env>] [--target <target>]

  What failed in a window, and is there a pattern: runs, failures and failure
  rate; failure points (each failed run counted once, at its root-cause step);
  the slowest steps (p50/p95, nearest rank); the compensation rate; and for
  each AI decision point, how often each choice was followed by a failure.

  Options
    --since <dur|date>   window start (default 24h)
    --env <env>          only this environment
    --target <target>    only this target
    --dora               add DORA figures per env/target: deployment frequency,
                         lead time (where runs carry git.committed_at), change
                         failure rate, time to restore (JSON key "dora")
${COMMON_HELP}

  Examples
    $ tracedeck runs analyze --since 7d --env prod
    $ tracedeck runs analyze --json | jq .failure_points
`;

const percent = formatRate;

export function formatAnalysis(analysis: Analysis, since: string): string {
	const clean = (text: string): string => sanitize(text, true);
	const out = [`${analysis.runs} runs in the last ${since}, ${analysis.failed} failed (${percent(analysis.failure_rate)}); compensation rate ${percent(analysis.compensation_rate)}`];
	if (analysis.failure_points.length > 0) {
		out.push(
			'',
			'FAILURE POINTS',
			textTable(
				['STEP', 'FAILED RUNS'],
				analysis.failure_points.map(p => [clean(p.path), String(p.failures)]),
			),
		);
	}

	if (analysis.slowest_steps.length > 0) {
		out.push(
			'',
			'SLOWEST STEPS',
			textTable(
				['STEP', 'COUNT', 'P50', 'P95'],
				analysis.slowest_steps.map(s => [clean(s.path), String(s.count), formatDuration(s.p50_ms), formatDuration(s.p95_ms)]),
			),
		);
	}

	if (analysis.decisions.length > 0) {
		out.push('', 'DECISIONS');
		for (const d of analysis.decisions) {
			out.push(`  ${clean(d.path)}: ${clean(describeDecisionRate(d))}`);
		}
	}

	return out.join('\n');
}

function formatDora(dora: DoraFigures): string {
	const rate = (value: number | null): string => (value === null ? '-' : percent(value));
	const rows = dora.by_target.map(group => [
		sanitize(`${group.env}/${group.target ?? '-'}`, true),
		String(group.deployments),
		group.deployment_frequency_per_day === null ? '-' : group.deployment_frequency_per_day.toFixed(2),
		formatDuration(group.lead_time_ms),
		rate(group.change_failure_rate),
		formatDuration(group.time_to_restore_ms),
	]);
	return [
		'DORA',
		textTable(
			['ENV/TARGET', 'DEPLOYS', 'PER DAY', 'LEAD TIME', 'CHANGE FAIL', 'RESTORE'],
			[['all', String(dora.deployments), dora.deployment_frequency_per_day === null ? '-' : dora.deployment_frequency_per_day.toFixed(2), formatDuration(dora.lead_time_ms), rate(dora.change_failure_rate), formatDuration(dora.time_to_restore_ms)], ...rows],
		),
	].join('\n');
}

export async function run(argv: string[]): Promise<number> {
	const cli = await parseFlags(argv, HELP, {
		since: {type: 'string', default: '24h'},
		env: {type: 'string'},
		target: {type: 'string'},
		dora: {type: 'boolean', default: false},
	});
	const {flags} = cli;
	const index = await openCommandStore(flags, {readonly: true});
	try {
		const now = Date.now();
		const window = {sinceMs: sinceToMs(flags.since, now)!, env: flags.env, target: flags.target};
		const analysis = analyzeRuns(await index.analyticsInput(window));
		const dora = flags.dora ? doraFigures(await index.doraRows(window), now - window.sinceMs) : undefined;
		if (flags.json) {
			writeJson(dora ? {...analysis, dora} : analysis);
		} else {
			process.stdout.write(`${formatAnalysis(analysis, flags.since)}${dora ? `\n\n${formatDora(dora)}` : ''}\n`);
		}
	} finally {
		await index.close();
	}

	return 0;
}
