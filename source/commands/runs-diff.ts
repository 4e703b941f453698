import {diffRuns, type RunDiff} from '../core/run-diff.js';
import {formatDuration} from '../core/format-duration.js';
import {sanitize} from '../core/sanitize.js';
import {RunIndex} from '../store/run-index.js';
import {readRunPlan} from '../store/run-plan.js';
import {COMMON_HELP, parseCommand, requireArgs, resolveHome, writeJson} from './command-line.js';
import {textTable} from './text-table.js';

const HELP = `
  Usage
    $ tracedeck runs diff <A> <B>

  Compares two runs step by step, aligned by step path: added, removed,
  status changed, slower, faster or the same (timing changes under 100 ms or
  20% are noise), plus the plan's changed args and env keys (secrets stay
  redacted). In a terminal it opens the side-by-side diff in the console.

  Options
    --text         print text even in a terminal
${COMMON_HELP}

  Examples
    $ tracedeck runs diff run-20261123-0310 run-20261124-0312
    $ tracedeck runs diff A B --json | jq '.steps[] | select(.change != "same")'
`;

const MARK: Record<RunDiff['steps'][number]['change'], string> = {added: '+', removed: '-', status: '!', slower: '>', faster: '<', same: '='};

function side(s: RunDiff['steps'][number]['a']): string {
	return s === null ? '-' : `${s.status} ${formatDuration(s.duration_ms)}`;
}

export function formatDiff(diff: RunDiff): string {
	const lines = [`A ${diff.a.run_id} (${diff.a.status})`, `B ${diff.b.run_id} (${diff.b.status})`, ''];
	const rows = diff.steps.map(step => {
		const delta = step.a?.duration_ms != null && step.b?.duration_ms != null ? formatDuration(step.b.duration_ms - step.a.duration_ms) : '';
		return [MARK[step.change], step.path, side(step.a), side(step.b), delta && !delta.startsWith('-') ? `+${delta}` : delta, step.change];
	});
	lines.push(textTable(['', 'STEP', 'A', 'B', 'DELTA', 'CHANGE'], rows));
	for (const [title, entries] of [['PLAN ARGS', diff.plan.args], ['PLAN ENV', diff.plan.env]] as const) {
		if (entries.length > 0) {
			lines.push('', title);
			for (const entry of entries) {
				lines.push(`  ${sanitize(entry.key, true)}: ${sanitize(JSON.stringify(entry.a) ?? 'null', true)} -> ${sanitize(JSON.stringify(entry.b) ?? 'null', true)}`);
			}
		}
	}

	return lines.join('\n');
}

export async function run(argv: string[]): Promise<number> {
	const cli = parseCommand(argv, HELP, {text: {type: 'boolean', default: false}});
	requireArgs(cli.input, 2, 'two runs to compare');
	const home = resolveHome(cli.flags.home);
	const [refA, refB] = cli.input as [string, string];
	if (!cli.flags.json && !cli.flags.text && process.stdout.isTTY && process.stdin.isTTY) {
		const {openConsole} = await import('./open-console.js');
		return openConsole({home, initial: {screen: 'diff', a: refA, b: refB}});
	}

	const index = RunIndex.open(home, {readonly: true});
	try {
		const a = index.resolveRun(refA);
		const b = index.resolveRun(refB);
		const diff = diffRuns(
			{run: a, spans: index.spans(a.trace_id)},
			{run: b, spans: index.spans(b.trace_id)},
			{planA: readRunPlan(home, a), planB: readRunPlan(home, b)},
		);
		if (cli.flags.json) {
			writeJson(diff);
		} else {
			process.stdout.write(`${formatDiff(diff)}\n`);
		}
	} finally {
		index.close();
	}

	return 0;
}
