import {Chalk} from 'chalk';
import {InputError} from '../core/errors.js';
import {terminalStatus} from '../core/fold.js';
import type {TraceEvent} from '../core/trace-event.js';
import {buildTree} from '../core/tree.js';
import {formatTailLine, matchesLevel, PLAIN_STYLE, SpanPaths, TAIL_LEVELS, tailJson, tailRecord, type LineStyle, type TailLevel, type TailSource} from '../live/tail-events.js';
import {watch} from '../live/watch.js';
import {isHeartbeat} from '../core/heartbeat.js';
import {resolveRedisUrl} from '../live/settings.js';
import {openCommandStore} from './command-store.js';
import {COMMON_HELP, parseFlags, requireArgs, sinceToMs} from './command-flags.js';
import {statusSymbol} from '../core/symbols.js';
import {wantsColor} from '../core/terminal-env.js';
import {exitStatusOf} from './exit-status.js';
import {textSymbols} from './text-symbols.js';

const HELP = `
  Usage
    $ tracedeck runs tail <run> [options]

  Prints the run's events so far, then each event as it arrives, one line
  each: time (UTC), status, step path, event type, and the output line, error,
  decision or compensation it carries (exec's heartbeats are left out). Exits 0 when the run ends (its root
  span completes, fails or is cancelled), unless --follow; with --exit-status,
  1 when it ended failed or cancelled. <run> is a run id, a trace id, a
  unique prefix of either, or a unique trailing part of the run id.

  Live events come from Redis Streams when --redis / TRACEDECK_REDIS_URL is set
  and Redis answers; otherwise, and during a Redis outage, from polling the run
  index: the same events, a little later, none lost or repeated.

  Options
    --step <path>      only this step and the steps below it (e.g. Deploy or deploy/migrate)
    --level <level>    error: failures, stderr lines and ERROR/FATAL log records;
                       warn: also retries, compensations and WARN records;
                       info: everything (default), a step's stdout lines too.
                       A log record's level is its severity number (its
                       severity text when that is 0)
    --since <dur|date> only past events from this window (15m, 2h) or date
    --follow           keep following after the run ends (stop with Ctrl-C)
    --exit-status      exit 1 when the run ended failed or cancelled (0 when it succeeded)
    --redis <url>      Redis for live events (env TRACEDECK_REDIS_URL)
${COMMON_HELP}

  Output
    Text, one line per event; no colour when stdout is not a terminal.
    With --json: NDJSON, not one document: one JSON object per event and line,
      {"time", "step_path", "name", "event_type", "status", "message",
       "source": "history" | "redis" | "polling", "event": <the TraceEvent>}

  Examples
    $ tracedeck runs tail run-20250314-090000-abc1234
    $ tracedeck runs tail abc12 --level error --since 10m
    $ tracedeck runs tail abc12 --json | jq -r 'select(.status == "failed") | .step_path'
`;

/** What the command writes to; tests pass their own. */
export interface TailIo {
	stdout?: {write(text: string): unknown; isTTY?: boolean};
	stderr?: {write(text: string): unknown};
	/** Stops a tail as Ctrl-C would (exit 0 instead of 130). */
	signal?: AbortSignal;
	/** Colour on a terminal (default: when stdout is one and NO_COLOR is unset). */
	color?: boolean;
	/** Watch tuning for tests: how often to poll while Redis is absent. */
	pollMs?: number;
}

function styleFor(color: boolean): LineStyle {
	const symbols = textSymbols();
	const symbol = (status: 'success' | 'failed' | 'pending') => statusSymbol(status, symbols);
	if (!color) {
		return {...PLAIN_STYLE, symbol};
	}

	const chalk = new Chalk({level: 1});
	return {symbol, failed: chalk.red, success: chalk.green, dim: chalk.dim, warn: chalk.yellow};
}

export async function run(argv: string[], io: TailIo = {}): Promise<number> {
	const cli = await parseFlags(argv, HELP, {
		step: {type: 'string'},
		level: {type: 'string', default: 'info'},
		since: {type: 'string'},
		follow: {type: 'boolean', default: false},
		exitStatus: {type: 'boolean', default: false},
		redis: {type: 'string'},
	});
	const {flags} = cli;
	requireArgs(cli.input, 1, 'the run to tail (a run id, trace id or unique prefix)');
	if (!TAIL_LEVELS.includes(flags.level as TailLevel)) {
		throw new InputError(`--level must be one of ${TAIL_LEVELS.join(', ')}`);
	}

	const level = flags.level as TailLevel;
	const step = flags.step?.replace(/^\/+|\/+$/g, '');
	const sinceMs = sinceToMs(flags.since);
	const stdout = io.stdout ?? process.stdout;
	const stderr = io.stderr ?? process.stderr;
	const style = styleFor(io.color ?? (stdout.isTTY === true && wantsColor(process.env)));
	const redisUrl = resolveRedisUrl(flags.redis);

	const index = await openCommandStore(flags, {readonly: true});
	const controller = new AbortController();
	let interrupted = false;
	const onSigint = () => {
		interrupted = true;
		controller.abort();
	};

	// `tail | head` closes the pipe: stop quietly instead of dying on EPIPE.
	const onStdoutError = () => controller.abort();
	const onAbort = () => controller.abort();
	try {
		const target = await index.resolveRun(cli.input[0]!);
		const traceId = target.trace_id;
		// Everything up to this id is history; the watch delivers what comes after.
		const cursor = await index.maxEventId();
		const spans = await index.spans(traceId);
		const rootId = buildTree(spans).root?.span_id;
		const paths = new SpanPaths(spans);
		const isRunEnd = (event: TraceEvent) => (rootId === undefined ? event.parent_span_id === undefined : event.span_id === rootId) && terminalStatus(event) !== undefined;
		const print = (event: TraceEvent, source: TailSource) => {
			// A heartbeat only says exec is alive: it is not a line to read.
			if (isHeartbeat(event) || !matchesLevel(event, level)) {
				return;
			}

			const record = tailRecord(event, source, paths);
			if (step !== undefined && step !== '' && record.step_path !== step && !record.step_path.startsWith(`${step}/`)) {
				return;
			}

			stdout.write(`${flags.json ? tailJson(record) : formatTailLine(record, style)}\n`);
		};

		let ended = false;
		for (const {id, event} of await index.events(traceId)) {
			if (id > cursor) {
				break;
			}

			ended ||= isRunEnd(event);
			const at = Date.parse(event.timestamp);
			if (sinceMs === undefined || Number.isNaN(at) || at >= sinceMs) {
				print(event, 'history');
			}
		}

		// What the run ended as, read once it has: the store holds the end before it is published.
		const endStatus = async (): Promise<number> => (flags.exitStatus ? exitStatusOf(await index.resolveRun(traceId)) : 0);
		if (ended && !flags.follow) {
			return await endStatus();
		}

		process.once('SIGINT', onSigint);
		if (stdout === process.stdout) {
			process.stdout.on('error', onStdoutError);
		}

		io.signal?.addEventListener('abort', onAbort, {once: true});
		if (io.signal?.aborted) {
			return 0;
		}

		let announced = false;
		const stream = watch(traceId, {
			index,
			redisUrl,
			afterEventId: cursor,
			signal: controller.signal,
			pollMs: io.pollMs,
			onSource(source) {
				// Say so once Redis was asked for and is not there; stdout stays clean for pipes.
				if (redisUrl !== undefined && (source === 'polling' || announced)) {
					announced = true;
					stderr.write(source === 'polling' ? 'tracedeck: Redis is unreachable; following by polling the run index\n' : 'tracedeck: Redis is back; following live\n');
				}
			},
		});
		let sawEnd = false;
		for await (const {event, source} of stream) {
			paths.apply(event);
			print(event, source);
			if (isRunEnd(event) && !flags.follow) {
				sawEnd = true;
				break;
			}
		}

		return interrupted ? 130 : sawEnd ? await endStatus() : 0;
	} finally {
		process.off('SIGINT', onSigint);
		process.stdout.off('error', onStdoutError);
		io.signal?.removeEventListener('abort', onAbort);
		await index.close();
	}
}
