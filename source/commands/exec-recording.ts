import fs from 'node:fs';
import os from 'node:os';
import {CiRecorder, type CiRunRef, type NewRunFields} from '../emit/ci-run.js';
import {TraceEmitter} from '../emit/emitter.js';
import {gitFacts} from '../emit/git-info.js';
import {parseTraceparent} from '../emit/traceparent.js';
import {writeRunArtifacts} from '../interop/artifacts.js';
import {RemoteSink, type DeliveryStats} from '../emit/remote-sink.js';
import {RunJournal} from '../emit/run-journal.js';
import {openEventWriter} from '../live/event-writer.js';
import {resolveToken} from '../live/settings.js';
import {openStore, type StoreLocation} from '../store/open-store.js';
import type {Store} from '../store/store.js';
import type {Run} from '../core/run.js';
import type {Span} from '../core/span.js';
import {writeJson} from './write-json.js';

/*
 * exec's recording: the run index and emitter it writes to, a new run's
 * fields, the finish with its artifacts and Pushgateway figures. Whatever
 * fails here is a warning: the CI step's command and exit code are never ours
 * to lose.
 */

export type FinishStatus = 'success' | 'failed' | 'cancelled';
export const FINISH_STATUSES = new Set<string>(['success', 'failed', 'cancelled']);

export function warn(message: string): void {
	process.stderr.write(`tracedeck: warning: ${message}\n`);
}

export function messageOf(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

/** Where exec records to, or null (with a warning) when it cannot be opened: the step runs unrecorded then. */
export interface Recording {
	/** What the recorder reads back: the index, or on an endpoint this runner's journal of the run. */
	reader: Pick<Store, 'resolveRun' | 'spans'>;
	/** How messages name where it records. */
	where: string;
	emitter: TraceEmitter;
	/** On an endpoint: the sender and the journal. */
	remote?: {sink: RemoteSink; journal: RunJournal};
	close(): Promise<void>;
}

/** Where exec records: a local (or shared) index, or, with an endpoint, a remote serve. */
export interface RecordingTarget {
	location: StoreLocation | null;
	redisUrl: string | undefined;
	/** A remote `tracedeck serve` (live/settings.ts resolveEndpoint); the home holds the spool and journal. */
	endpoint?: {url: string; home: string} | undefined;
}

export async function openRecording(target: RecordingTarget): Promise<Recording | null> {
	const {location, redisUrl, endpoint} = target;
	if (endpoint !== undefined) {
		try {
			const journal = new RunJournal(endpoint.home);
			const sink = new RemoteSink({endpoint: endpoint.url, token: resolveToken(undefined), home: endpoint.home, warn});
			return {reader: journal, where: endpoint.url, emitter: new TraceEmitter(journal.recording(sink)), remote: {sink, journal}, close: async () => void (await sink.close())};
		} catch (error) {
			warn(`cannot record to ${endpoint.url} (${messageOf(error)}); going on without recording`);
			return null;
		}
	}

	if (location === null) {
		return null;
	}

	try {
		const writer = await openEventWriter({...location, redisUrl});
		return {reader: writer.store, where: writer.store.location, emitter: new TraceEmitter(writer), close: async () => writer.close()};
	} catch (error) {
		warn(`cannot open the run index ${location.databaseUrl === undefined ? `in ${location.home}` : 'on PostgreSQL'} (${messageOf(error)}); going on without recording`);
		return null;
	}
}

export async function closeRecording(recording: Recording | null): Promise<void> {
	if (!recording) {
		return;
	}

	const closing = (async () => {
		await recording.emitter.close();
		await recording.close();
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

export function newRunFields(flags: {name?: string; env?: string; target?: string}, env: NodeJS.ProcessEnv): NewRunFields {
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
export function announce(run: CiRunRef, env: NodeJS.ProcessEnv): void {
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

/** The finished run's artifacts folder, or null (with a warning) when they could not be written. */
async function writeArtifacts(location: StoreLocation, runId: string): Promise<string | null> {
	try {
		return (await writeRunArtifacts(location, runId)).dir;
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
export async function safely<T>(record: () => Promise<T>): Promise<T | null> {
	try {
		return await record();
	} catch (error) {
		warn(`cannot record this step (${messageOf(error)}); the command's outcome is unaffected`);
		return null;
	}
}

/** Push the finished run's figures (from the index, or what this runner saw); a gateway that is down costs a warning, never the CI job. */
async function pushFigures(from: StoreLocation | null | {run: Run; spans: Span[]}, runId: string, url: string): Promise<void> {
	if (from === null) {
		return;
	}

	try {
		const {pushRunFigures} = await import('../interop/pushgateway.js');
		if ('run' in from) {
			const warning = await pushRunFigures(url, from.run, from.spans);
			if (warning !== undefined) {
				warn(warning);
			}

			return;
		}

		const index = await openStore(from, {readonly: true});
		try {
			const run = await index.resolveRun(runId);
			const warning = await pushRunFigures(url, run, await index.spans(run.trace_id));
			if (warning !== undefined) {
				warn(warning);
			}
		} finally {
			await index.close();
		}
	} catch (error) {
		warn(`could not push the run's figures to ${url}: ${messageOf(error)}`);
	}
}

export async function finishRun(target: RecordingTarget, runId: string, status: FinishStatus | undefined, json: boolean, pushgateway: string | undefined): Promise<number> {
	const recording = await openRecording(target);
	let finished: Awaited<ReturnType<CiRecorder['finishRun']>>;
	let delivery: DeliveryStats | undefined;
	let spans: Awaited<ReturnType<Store['spans']>> = [];
	try {
		const recorder = new CiRecorder({index: recording?.reader ?? null, emitter: recording?.emitter ?? null, warn});
		finished = await recorder.finishRun(runId, status);
		if (!finished && recording && recorder.recording) {
			warn(`no run "${runId}" ${recording.remote ? 'recorded on this runner' : `in ${recording.where}`}; nothing to finish`);
		}

		if (finished && recording?.remote) {
			spans = await recording.reader.spans(finished.run.trace_id);
			recording.remote.journal.forget(finished.run.trace_id);
		}
	} finally {
		await closeRecording(recording);
		delivery = recording?.remote?.sink.stats();
	}

	if (!finished || (target.location === null && delivery === undefined)) {
		if (delivery !== undefined) {
			reportDelivery(delivery, json, undefined);
		}

		return 0;
	}

	// On an endpoint the artifacts are serve's to write (the index is there); the figures are pushed from what this runner saw.
	const artifacts = delivery === undefined && target.location !== null ? await writeArtifacts(target.location, finished.run.run_id) : null;
	if (pushgateway !== undefined && pushgateway !== '') {
		await pushFigures(delivery === undefined ? target.location : {run: finished.run, spans}, finished.run.run_id, pushgateway);
	}

	const summary = {run_id: finished.run.run_id, trace_id: finished.run.trace_id, status: finished.status, artifacts};
	if (delivery !== undefined) {
		reportDelivery(delivery, json, summary);
	} else if (json) {
		writeJson(summary);
	} else {
		process.stdout.write(`run ${finished.run.run_id} finished: ${finished.status}${artifacts === null ? '' : `\nartifacts: ${artifacts}`}\n`);
	}

	return 0;
}

/**
 * --finish on an endpoint: the run's summary and what became of the events.
 * `not_delivered` counts the events still spooled on this runner (the next
 * exec sends them first) and those lost (spool full, or refused by serve).
 */
function reportDelivery(delivery: DeliveryStats, json: boolean, summary: Record<string, unknown> | undefined): void {
	const notDelivered = delivery.pending + delivery.dropped + delivery.rejected;
	if (json) {
		writeJson({...(summary ?? {}), delivery: {...delivery, not_delivered: notDelivered}});
		return;
	}

	const lines = summary === undefined ? [] : [`run ${String(summary['run_id'])} finished: ${String(summary['status'])}`];
	lines.push(`sent to ${delivery.endpoint}: ${delivery.sent} event(s)`);
	if (notDelivered > 0) {
		lines.push(`not delivered: ${notDelivered} event(s) (${delivery.pending} spooled on this runner, sent first by the next exec; ${delivery.dropped} dropped, spool full; ${delivery.rejected} refused by serve)`);
	}

	process.stdout.write(`${lines.join('\n')}\n`);
}
