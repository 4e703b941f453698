import fs from 'node:fs';
import os from 'node:os';
import {ConfigError, InputError} from '../core/errors.js';
import {identifierProblem} from '../core/input-limits.js';
import {redactCommandWords, redactText} from '../core/redact.js';
import {startChild, type ChildOutcome} from '../emit/child-step.js';
import {CiRecorder, type CiRunRef, type NewRunFields} from '../emit/ci-run.js';
import {TraceEmitter} from '../emit/emitter.js';
import {gitFacts} from '../emit/git-info.js';
import {stepSpanId} from '../emit/ids.js';
import {LineTail} from '../emit/line-tail.js';
import {stepSegments} from '../emit/step-path.js';
import {childTraceEnv, parseTraceparent} from '../emit/traceparent.js';
import {openEventWriter, type OwnedEventWriter} from '../live/event-writer.js';
import {RunIndex} from '../store/run-index.js';
import {resolveHome, resolveRedisUrl} from '../live/settings.js';
import {COMMON_HELP, parseFlags} from './command-flags.js';
import {writeJson} from './write-json.js';

const HELP = `
  Usage
    $ tracedeck exec [--run <id>] --step <path> [--retries <n>] [--env <env> --target <target>] -- <command...>
    $ tracedeck exec --run <id> --finish [--status success|failed|cancelled]

  Runs one CI step and records it in a run: start and end, exit code, retries
  and the last 50 lines of stderr. The command's stdout, stderr and exit code
  are its own (killed by signal n: 128+n); if tracedeck cannot record, it warns
  on stderr and the command runs all the same.

  One argument after "--" runs through the shell ("npm ci && npm test");
  several run as they are, without one.

  The command gets TRACEPARENT=00-<run trace id>-<step span id>-01 (W3C
  Trace Context; TRACESTATE passes on as it was): an OpenTelemetry-instrumented
  program's spans then join the run under the step. A TRACEPARENT exec itself
  is given (the CI system's trace) becomes the run's parent trace and a link
  on the run's root and on the step.

  Options
    --run <id>           the run to record into (env TRACEDECK_RUN_ID); started
                         when it does not exist; without it a new run
                         run-<yyyyMMdd-HHmmss>-<shortsha> is started and its id
                         printed on stderr as TRACEDECK_RUN_ID=<id>
    --step <path>        the step, "/" for nesting: build/unit is step unit in
                         stage build; steps of one run share their stages
    --retries <n>        run again up to n times while it exits non-zero (default 0)
    --env <env>          a new run's environment (prod, staging, dev)
    --target <target>    a new run's target
    --name <name>        a new run's name (default "ci")
    --finish             end the run and write its artifacts
    --pushgateway <url>  with --finish: push the run's figures to a Prometheus
                         Pushgateway (env TRACEDECK_PUSHGATEWAY); a gateway
                         that is down gives a warning, not a failure
    --status <status>    with --finish: success | failed | cancelled (default:
                         failed when any step failed, else success)
    --redis <url>        also publish to Redis for live views (env TRACEDECK_REDIS_URL)
${COMMON_HELP}

  Examples
    $ export TRACEDECK_RUN_ID=$(date -u +run-%Y%m%d-%H%M%S)
    $ tracedeck exec --step build/compile --env staging --target api -- npm run build
    $ tracedeck exec --step build/unit --retries 2 -- npm test
    $ tracedeck exec --finish
`;

type FinishStatus = 'success' | 'failed' | 'cancelled';
const FINISH_STATUSES = new Set<string>(['success', 'failed', 'cancelled']);
const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];

/**
 * The artifacts writer (source/interop/artifacts.ts): returns the folder, or
 * an object with it as `dir`, now or as a promise.
 */
type WriteRunArtifacts = (home: string, runRef: string, options?: {plan?: unknown}) => unknown;

function warn(message: string): void {
	process.stderr.write(`tracedeck: warning: ${message}\n`);
}

function messageOf(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

/** The store, or null (with a warning) when it cannot be opened: the step runs unrecorded then. */
interface Store {
	writer: OwnedEventWriter;
	emitter: TraceEmitter;
}

async function openStore(home: string, redisUrl: string | undefined): Promise<Store | null> {
	try {
		const writer = await openEventWriter({home, redisUrl});
		return {writer, emitter: new TraceEmitter(writer)};
	} catch (error) {
		warn(`cannot open the run index in ${home} (${messageOf(error)}); going on without recording`);
		return null;
	}
}

async function closeStore(store: Store | null): Promise<void> {
	if (!store) {
		return;
	}

	const closing = (async () => {
		await store.emitter.close();
		await store.writer.close();
	})().catch((error: unknown) => {
		warn(`closing the run index: ${messageOf(error)}`);
	});
	// Never hold the CI step up on a slow Redis goodbye.
	await Promise.race([
		closing,
		new Promise<void>(resolve => {
			setTimeout(resolve, 3000).unref();
		}),
	]);
}

/**
 * A run id, step path, env, target or name with a control, bidirectional or
 * zero-width character would be stored and shown as something else than it
 * is: a usage error before anything runs (exit 2), unlike the failures to
 * record that exec only warns about, since the caller can fix it.
 */
function refuseBadIdentifiers(given: ReadonlyArray<[string, string | undefined]>): void {
	for (const [flag, value] of given) {
		const problem = value === undefined || value === '' ? undefined : identifierProblem(value);
		if (problem !== undefined) {
			throw new InputError(`${flag} ${JSON.stringify(value)}: ${problem}`);
		}
	}
}

function newRunFields(flags: {name?: string; env?: string; target?: string}, env: NodeJS.ProcessEnv): NewRunFields {
	const fields: NewRunFields = {git: gitFacts(undefined, env)};
	if (flags.name !== undefined) {
		fields.name = flags.name;
	}

	if (flags.env !== undefined) {
		fields.env = flags.env;
	}

	if (flags.target !== undefined) {
		fields.target = flags.target;
	}

	let user = env['GITHUB_ACTOR'] || env['GITLAB_USER_LOGIN'] || env['USER'] || env['LOGNAME'] || undefined;
	if (user === undefined) {
		try {
			user = os.userInfo().username;
		} catch {
			// No passwd entry (some containers): the run has no user.
		}
	}

	if (user !== undefined) {
		fields.user = user;
	}

	fields.runner = env['RUNNER_NAME'] || env['CI_RUNNER_DESCRIPTION'] || os.hostname();
	const caller = parseTraceparent(env['TRACEPARENT']);
	if (caller !== undefined) {
		fields.caller = caller;
	}

	return fields;
}

/** Tell the caller (and, on GitHub Actions, later steps) which run this is. */
function announce(run: CiRunRef, env: NodeJS.ProcessEnv): void {
	process.stderr.write(`tracedeck: started run ${run.run_id}; later steps join it with --run or:\nTRACEDECK_RUN_ID=${run.run_id}\n`);
	const githubEnv = env['GITHUB_ENV'];
	if (githubEnv && !env['TRACEDECK_RUN_ID']) {
		try {
			fs.appendFileSync(githubEnv, `TRACEDECK_RUN_ID=${run.run_id}\n`);
		} catch (error) {
			warn(`cannot write TRACEDECK_RUN_ID to $GITHUB_ENV: ${messageOf(error)}`);
		}
	}
}

/**
 * Keep tracedeck alive through Ctrl-C and CI cancels while the step runs, so
 * the outcome is still recorded (the child gets the signal from startChild).
 * A second signal with no command running exits at once.
 */
function holdSignals(isChildRunning: () => boolean): {received(): NodeJS.Signals | null; release(): void} {
	let received: NodeJS.Signals | null = null;
	const handlers = SIGNALS.map(signal => {
		const handler = (): void => {
			if (received !== null && !isChildRunning()) {
				process.exit(128 + (os.constants.signals[signal] ?? 0));
			}

			received = signal;
		};

		process.on(signal, handler);
		return () => process.off(signal, handler);
	});
	return {
		received: () => received,
		release() {
			for (const remove of handlers) {
				remove();
			}
		},
	};
}

async function loadArtifactWriter(): Promise<WriteRunArtifacts | undefined> {
	// A variable specifier: the module is another part of tracedeck that may not be built in.
	const specifier = '../interop/artifacts.js';
	let module: unknown;
	try {
		module = await import(specifier);
	} catch (error) {
		if ((error as {code?: string}).code === 'ERR_MODULE_NOT_FOUND') {
			return undefined;
		}

		throw error;
	}

	const writer = (module as {writeRunArtifacts?: unknown}).writeRunArtifacts;
	return typeof writer === 'function' ? (writer as WriteRunArtifacts) : undefined;
}

async function writeArtifacts(home: string, runId: string): Promise<string | null> {
	try {
		const write = await loadArtifactWriter();
		if (!write) {
			warn('this tracedeck has no artifact writer; the run is finished but no artifacts were written');
			return null;
		}

		const written: unknown = await write(home, runId);
		const dir = typeof written === 'string' ? written : (written as {dir?: unknown} | null)?.dir;
		return typeof dir === 'string' ? dir : null;
	} catch (error) {
		warn(`could not write the run's artifacts: ${messageOf(error)}`);
		return null;
	}
}

/**
 * Recording, guarded: the recorder turns store failures into a warning
 * itself; this catches anything else, so that a bug of ours never costs the
 * CI step its command or its exit code.
 */
async function safely<T>(record: () => Promise<T>): Promise<T | null> {
	try {
		return await record();
	} catch (error) {
		warn(`cannot record this step (${messageOf(error)}); the command's outcome is unaffected`);
		return null;
	}
}

/** Push the finished run's figures; a gateway that is down costs a warning, never the CI job. */
async function pushFigures(home: string, runId: string, url: string): Promise<void> {
	try {
		const {pushRunFigures} = await import('../interop/pushgateway.js');
		const index = RunIndex.open(home, {readonly: true});
		try {
			const run = index.resolveRun(runId);
			const warning = await pushRunFigures(url, run, index.spans(run.trace_id));
			if (warning !== undefined) {
				warn(warning);
			}
		} finally {
			index.close();
		}
	} catch (error) {
		warn(`could not push the run's figures to ${url}: ${messageOf(error)}`);
	}
}

async function finish(home: string, redisUrl: string | undefined, runId: string, status: FinishStatus | undefined, json: boolean, pushgateway: string | undefined): Promise<number> {
	const store = await openStore(home, redisUrl);
	let finished: Awaited<ReturnType<CiRecorder['finishRun']>>;
	try {
		const recorder = new CiRecorder({index: store?.writer.index ?? null, emitter: store?.emitter ?? null, warn});
		finished = await recorder.finishRun(runId, status);
		if (!finished && store && recorder.recording) {
			warn(`no run "${runId}" in ${home}; nothing to finish`);
		}
	} finally {
		await closeStore(store);
	}

	if (!finished) {
		return 0;
	}

	const artifacts = await writeArtifacts(home, finished.run.run_id);
	if (pushgateway !== undefined && pushgateway !== '') {
		await pushFigures(home, finished.run.run_id, pushgateway);
	}

	if (json) {
		writeJson({run_id: finished.run.run_id, trace_id: finished.run.trace_id, status: finished.status, artifacts});
	} else {
		process.stdout.write(`run ${finished.run.run_id} finished: ${finished.status}${artifacts === null ? '' : `\nartifacts: ${artifacts}`}\n`);
	}

	return 0;
}

interface StepRequest {
	home: string;
	redisUrl: string | undefined;
	runId: string | undefined;
	segments: string[];
	retries: number;
	command: string[];
	fields: {name?: string; env?: string; target?: string};
}

async function execStep(request: StepRequest): Promise<number> {
	const env = process.env;
	const store = await openStore(request.home, request.redisUrl);
	const recorder = new CiRecorder({index: store?.writer.index ?? null, emitter: store?.emitter ?? null, warn});
	let childRunning = false;
	const signals = holdSignals(() => childRunning);
	try {
		const run = await safely(async () => recorder.ensureRun(request.runId, () => newRunFields(request.fields, env)));
		if (run?.created && recorder.recording) {
			announce(run, env);
		}

		const shown = request.command.length === 1 ? redactText(request.command[0]!) : redactCommandWords(request.command);
		const tail = new LineTail(50, 4096);
		// The command runs inside the step's span: an instrumented program's spans join the run under the step.
		const childEnv = run ? childTraceEnv(env, run.trace_id, stepSpanId(run.run_id, request.segments)) : env;
		const attempt = async (): Promise<ChildOutcome> => {
			childRunning = true;
			const handle = startChild(request.command, {onStderr: chunk => tail.push(chunk), env: childEnv});
			return handle.done.finally(() => {
				childRunning = false;
				tail.end();
			});
		};

		const startedAt = new Date();
		let running = attempt();
		const data: Record<string, unknown> = {command: shown};
		if (request.retries > 0) {
			data['max_retries'] = request.retries;
		}

		// Recorded after the spawn: a slow or locked store never delays the command.
		const step = run ? await safely(async () => recorder.stepStarted(run, request.segments, startedAt, data, parseTraceparent(env['TRACEPARENT']))) : null;
		let outcome = await running;
		let attempts = 1;
		while (outcome.exitCode !== 0 && outcome.spawnError === null && outcome.interrupted === null && signals.received() === null && attempts <= request.retries) {
			const failedWith = outcome.exitCode;
			attempts++;
			running = attempt();
			if (step) {
				await safely(async () => recorder.retrying(step, attempts - 1, failedWith));
			}

			outcome = await running;
		}

		if (outcome.spawnError) {
			process.stderr.write(`tracedeck: cannot run ${request.command[0]!}: ${outcome.spawnError.message}\n`);
		}

		if (step) {
			await safely(async () => recorder.stepEnded(step, {outcome, attempts, stderr: tail.lines()}));
		}

		return outcome.exitCode;
	} finally {
		signals.release();
		await closeStore(store);
	}
}

export async function run(argv: string[]): Promise<number> {
	const split = argv.indexOf('--');
	const own = split === -1 ? argv : argv.slice(0, split);
	const command = split === -1 ? [] : argv.slice(split + 1);
	const cli = parseFlags(own, HELP, {
		run: {type: 'string'},
		step: {type: 'string'},
		retries: {type: 'number', default: 0},
		env: {type: 'string'},
		target: {type: 'string'},
		name: {type: 'string'},
		finish: {type: 'boolean', default: false},
		status: {type: 'string'},
		redis: {type: 'string'},
		pushgateway: {type: 'string'},
	});
	const {flags} = cli;
	if (cli.input.length > 0) {
		throw new InputError(`put the command after "--": tracedeck exec --step <path> -- ${cli.input.join(' ')}`);
	}

	const home = resolveHome(flags.home);
	let redisUrl: string | undefined;
	try {
		redisUrl = resolveRedisUrl(flags.redis);
	} catch (error) {
		if (!(error instanceof ConfigError)) {
			throw error;
		}

		// A config error is exit 2 elsewhere, but the CI step is not ours to fail (DESIGN: if tracedeck
		// cannot record, it warns and the step runs). SQLite, the source of truth, still records it.
		warn(`${error.message}; recording without live streams`);
	}

	const runId = flags.run !== undefined && flags.run !== '' ? flags.run : process.env['TRACEDECK_RUN_ID'] || undefined;
	refuseBadIdentifiers([
		[flags.run !== undefined && flags.run !== '' ? '--run' : 'TRACEDECK_RUN_ID', runId],
		['--step', flags.step],
		['--env', flags.env],
		['--target', flags.target],
		['--name', flags.name],
	]);
	if (flags.finish) {
		if (command.length > 0) {
			throw new InputError('--finish ends a run and takes no command');
		}

		if (runId === undefined) {
			throw new InputError('--finish needs the run: --run <id> or TRACEDECK_RUN_ID');
		}

		if (flags.status !== undefined && !FINISH_STATUSES.has(flags.status)) {
			throw new InputError('--status must be one of success, failed, cancelled');
		}

		return finish(home, redisUrl, runId, flags.status as FinishStatus | undefined, flags.json, flags.pushgateway ?? process.env['TRACEDECK_PUSHGATEWAY']);
	}

	if (flags.status !== undefined) {
		throw new InputError('--status goes with --finish');
	}

	if (command.length === 0 || command[0] === '') {
		throw new InputError('exec needs a command after "--"; see tracedeck exec --help');
	}

	if (flags.step === undefined || flags.step === '') {
		throw new InputError('exec needs --step <path>, e.g. --step build/unit');
	}

	if (!Number.isInteger(flags.retries) || flags.retries < 0 || flags.retries > 100) {
		throw new InputError('--retries must be a whole number from 0 to 100');
	}

	let segments: string[];
	try {
		segments = stepSegments(flags.step);
	} catch (error) {
		throw new InputError(messageOf(error));
	}

	return execStep({
		home,
		redisUrl,
		runId,
		segments,
		retries: flags.retries,
		command,
		fields: {name: flags.name, env: flags.env, target: flags.target},
	});
}
