import {InputError, NotFoundError} from '../core/errors.js';
import {formatDuration} from '../core/format-duration.js';
import {differsOnlyInSecret, planSummary, planVerdict, type PlanEntryDiff} from '../core/plan-diff.js';
import type {Run} from '../core/run.js';
import {diffRuns, type RunDiff} from '../core/run-diff.js';
import {sanitize} from '../core/sanitize.js';
import {baselineReason, noBaselineMessage} from '../store/baseline-run.js';
import type {Store} from '../store/store.js';
import {openCommandStore, storeLocation} from './command-store.js';
import {readRunPlan} from '../store/run-plan.js';
import {COMMON_HELP, parseFlags, requireArgs} from './command-flags.js';
import {writeJson} from './write-json.js';
import {textTable} from './text-table.js';

const HELP = `
  Usage
    $ tracedeck runs diff <A> <B>
    $ tracedeck runs diff <run>

  Compares two runs step by step, aligned by step path: added, removed,
  status changed, slower, faster or the same (timing changes under 100 ms or
  20% are noise), plus the plan: its steps by id (command, decorator, ...),
  resolved values by key, args and env keys (secrets stay redacted).

  With one run, compares it with the last successful run of the same env and
  target that started before it, and says which run that is (exit 3 when there
  is none). In a terminal it opens the side-by-side diff in the console.

  Options
    --text         print text even in a terminal
${COMMON_HELP}

  Examples
    $ tracedeck runs diff run-20261123-0310 run-20261124-0312
    $ tracedeck runs diff 3f2a9c1          # against the last success before it
    $ tracedeck runs diff A B --json | jq '.steps[] | select(.change != "same")'
`;

const NAME_TWO = 'name two runs to compare: tracedeck runs diff <A> <B>';

const MARK: Record<RunDiff['steps'][number]['change'], string> = {added: '+', removed: '-', status: '!', slower: '>', faster: '<', same: '='};
const PLAN_MARK = {added: '+', removed: '-', changed: '~'} as const;

/** How run A was chosen: null when both runs were named. */
export interface Baseline {
	run_id: string;
	trace_id: string;
	reason: 'last_success';
}

function side(s: RunDiff['steps'][number]['a']): string {
	return s === null ? '-' : `${s.status} ${formatDuration(s.duration_ms)}`;
}

function value(v: unknown): string {
	return sanitize(JSON.stringify(v) ?? 'null', true);
}

function entryLine(entry: PlanEntryDiff, indent: string): string {
	const hidden = differsOnlyInSecret(entry) ? '  (redacted; values differ)' : '';
	return `${indent}${sanitize(entry.key, true)}: ${value(entry.a)} -> ${value(entry.b)}${hidden}`;
}

function planLines(plan: RunDiff['plan']): string[] {
	const lines = ['', planSummary(plan)];
	if (planVerdict(plan) !== 'changed') {
		return lines;
	}

	if (plan.steps.length > 0) {
		lines.push('', 'PLAN STEPS');
		for (const step of plan.steps) {
			lines.push(`  ${PLAN_MARK[step.change]} ${sanitize(step.id, true)}${step.change === 'changed' ? '' : ` (${step.change})`}`);
			for (const field of step.fields) {
				// An added or removed step lists what it was, not "null -> ...".
				lines.push(step.change === 'changed' ? entryLine(field, '      ') : `      ${sanitize(field.key, true)}: ${value(step.change === 'added' ? field.b : field.a)}`);
			}
		}
	}

	for (const [title, entries] of [
		['PLAN RESOLVED VALUES', plan.resolved_values],
		['PLAN ARGS', plan.args],
		['PLAN ENV', plan.env],
	] as const) {
		if (entries.length > 0) {
			lines.push('', title);
			for (const entry of entries) {
				lines.push(entryLine(entry, '  '));
			}
		}
	}

	return lines;
}

export function formatDiff(diff: RunDiff, baseline: Baseline | null = null): string {
	const lines = baseline === null ? [] : [`comparing with ${sanitize(baseline.run_id, true)} (${baselineReason(diff.b)})`];
	lines.push(`A ${sanitize(diff.a.run_id, true)} (${diff.a.status})`, `B ${sanitize(diff.b.run_id, true)} (${diff.b.status})`, '');
	const rows = diff.steps.map(step => {
		const delta = step.a?.duration_ms != null && step.b?.duration_ms != null ? formatDuration(step.b.duration_ms - step.a.duration_ms) : '';
		return [MARK[step.change], step.path, side(step.a), side(step.b), delta && !delta.startsWith('-') ? `+${delta}` : delta, step.change];
	});
	lines.push(textTable(['', 'STEP', 'A', 'B', 'DELTA', 'CHANGE'], rows), ...planLines(diff.plan));
	return lines.join('\n');
}

interface Picked {
	a: Run;
	b: Run;
	baseline: Baseline | null;
}

/** The two runs to compare: both named, or the named one and its last success. */
async function pickRuns(index: Store, refs: readonly string[]): Promise<Picked> {
	if (refs.length === 2) {
		return {a: await index.resolveRun(refs[0]!), b: await index.resolveRun(refs[1]!), baseline: null};
	}

	const b = await index.resolveRun(refs[0]!);
	const a = await index.lastSuccessBefore(b);
	if (a === null) {
		throw new NotFoundError(noBaselineMessage(b, NAME_TWO));
	}

	return {a, b, baseline: {run_id: a.run_id, trace_id: a.trace_id, reason: 'last_success'}};
}

async function printDiff(index: Store, home: string, {a, b, baseline}: Picked, json: boolean): Promise<void> {
	const diff = diffRuns({run: a, spans: await index.spans(a.trace_id)}, {run: b, spans: await index.spans(b.trace_id)}, {planA: readRunPlan(home, a), planB: readRunPlan(home, b)});
	if (json) {
		writeJson({...diff, baseline});
	} else {
		process.stdout.write(`${formatDiff(diff, baseline)}\n`);
	}
}

export async function run(argv: string[]): Promise<number> {
	const cli = await parseFlags(argv, HELP, {text: {type: 'boolean', default: false}});
	requireArgs(cli.input, 1, 'the run to compare (and optionally a second run)');
	if (cli.input.length > 2) {
		throw new InputError(`runs diff takes one or two runs, not ${cli.input.length}; ${NAME_TWO}`);
	}

	const location = storeLocation(cli.flags);
	const {home} = location;
	const refs = cli.input;
	const inConsole = !cli.flags.json && !cli.flags.text && process.stdout.isTTY && process.stdin.isTTY;
	if (inConsole && refs.length === 2) {
		const {openConsole} = await import('./open-console.js');
		return openConsole({...location, initial: {screen: 'diff', a: refs[0]!, b: refs[1]!}});
	}

	const index = await openCommandStore(cli.flags, {readonly: true});
	let picked: Picked;
	try {
		picked = await pickRuns(index, refs);
		if (!inConsole) {
			await printDiff(index, home, picked, cli.flags.json);
			return 0;
		}
	} finally {
		await index.close();
	}

	// One run in a terminal: there is a baseline (else exit 3 above); the console looks it up again and says which it is.
	const {openConsole} = await import('./open-console.js');
	return openConsole({...location, initial: {screen: 'diff', b: picked.b.trace_id}});
}
