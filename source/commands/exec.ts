import {ConfigError, InputError} from '../core/errors.js';
import {identifierProblem} from '../core/input-limits.js';
import {stepSegments} from '../emit/step-path.js';
import {resolveEndpoint, resolveHome, resolveRedisUrl} from '../live/settings.js';
import type {StoreLocation} from '../store/open-store.js';
import {COMMON_HELP, parseFlags} from './command-flags.js';
import {storeLocation} from './command-store.js';
import {FINISH_STATUSES, finishRun, messageOf, warn, type FinishStatus, type RecordingTarget} from './exec-recording.js';
import {execStep} from './exec-step.js';

const HELP = `
  Usage
    $ tracedeck exec [--run <id>] --step <path> [--retries <n>] [--env <env> --target <target>] -- <command...>
    $ tracedeck exec --run <id> --finish [--status success|failed|cancelled]

  Runs one CI step and records it in a run: start and end, exit code, retries
  and its stdout and stderr lines as they come (4 KiB a line, 200 lines a
  second, 10,000 a step; a marker counts the rest), with a heartbeat while it
  is quiet so a long step is not stuck. The command's stdout, stderr and exit
  code are its own (killed by signal n: 128+n); if tracedeck cannot record, it
  warns on stderr and the command runs all the same.

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
    --endpoint <url>     send to a remote tracedeck serve (https://host:4318) over
                         OTLP/HTTP instead of a local index (env TRACEDECK_ENDPOINT,
                         token in TRACEDECK_TOKEN); while it cannot be reached the
                         events wait in <home>/spool and the next exec (or
                         --finish) sends them first; --finish says how many were
                         not delivered
${COMMON_HELP}

  Examples
    $ export TRACEDECK_RUN_ID=$(date -u +run-%Y%m%d-%H%M%S)
    $ tracedeck exec --step build/compile --env staging --target api -- npm run build
    $ tracedeck exec --step build/unit --retries 2 -- npm test
    $ tracedeck exec --finish
`;

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

export async function run(argv: string[]): Promise<number> {
	const split = argv.indexOf('--');
	const own = split === -1 ? argv : argv.slice(0, split);
	const command = split === -1 ? [] : argv.slice(split + 1);
	const cli = await parseFlags(own, HELP, {
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
		endpoint: {type: 'string'},
	});
	const {flags} = cli;
	if (cli.input.length > 0) {
		throw new InputError(`put the command after "--": tracedeck exec --step <path> -- ${cli.input.join(' ')}`);
	}

	const endpoint = recordingEndpoint(flags);
	// On an endpoint the index is serve's: a local database setting does not matter.
	const location = endpoint === undefined ? recordingLocation(flags) : null;
	let redisUrl: string | undefined;
	try {
		redisUrl = endpoint === undefined ? resolveRedisUrl(flags.redis) : undefined;
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

		const target: RecordingTarget = {location, redisUrl, endpoint};
		return finishRun(target, runId, flags.status as FinishStatus | undefined, flags.json, flags.pushgateway ?? process.env['TRACEDECK_PUSHGATEWAY']);
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
		target: {location, redisUrl, endpoint},
		runId,
		segments,
		retries: flags.retries,
		command,
		fields: {name: flags.name, env: flags.env, target: flags.target},
	});
}

/**
 * The index exec records to. A setting that cannot work (a malformed
 * TRACEDECK_DATABASE_URL) is exit 2 for other commands, but the CI step is
 * not ours to fail: it warns, and the step runs unrecorded rather than into
 * a local file nobody will look at.
 */
function recordingLocation(flags: {home?: string | undefined; db?: string | undefined}): StoreLocation | null {
	try {
		return storeLocation(flags);
	} catch (error) {
		if (!(error instanceof ConfigError)) {
			throw error;
		}

		warn(`${error.message}; the step runs unrecorded`);
		return null;
	}
}

/**
 * The remote serve exec sends to, with the home for its spool, or undefined
 * to record locally. A malformed endpoint is warned about and the step
 * recorded locally: the CI step is not ours to fail.
 */
function recordingEndpoint(flags: {home?: string | undefined; endpoint?: string | undefined}): RecordingTarget['endpoint'] {
	try {
		const url = resolveEndpoint(flags.endpoint);
		return url === undefined ? undefined : {url, home: resolveHome(flags.home)};
	} catch (error) {
		if (!(error instanceof ConfigError)) {
			throw error;
		}

		warn(`${error.message}; recording locally`);
		return undefined;
	}
}
