import fs from 'node:fs';
import os from 'node:os';
import {CiRecorder, type CiRunRef, type NewRunFields} from '../emit/ci-run.js';
import {TraceEmitter} from '../emit/emitter.js';
import {gitFacts} from '../emit/git-info.js';
import {parseTraceparent} from '../emit/traceparent.js';
import {writeRunArtifacts} from '../interop/artifacts.js';
import {openEventWriter, type OwnedEventWriter} from '../live/event-writer.js';
import {openStore, type StoreLocation} from '../store/open-store.js';
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
	writer: OwnedEventWriter;
	emitter: TraceEmitter;
}

export async function openRecording(location: StoreLocation | null, redisUrl: string | undefined): Promise<Recording | null> {
	if (location === null) {
		return null;
	}

	try {
		const writer = await openEventWriter({...location, redisUrl});
		return {writer, emitter: new TraceEmitter(writer)};
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
		await recording.writer.close();
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

/** Push the finished run's figures; a gateway that is down costs a warning, never the CI job. */
async function pushFigures(location: StoreLocation, runId: string, url: string): Promise<void> {
	try {
		const {pushRunFigures} = await import('../interop/pushgateway.js');
		const index = await openStore(location, {readonly: true});
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

export async function finishRun(location: StoreLocation | null, redisUrl: string | undefined, runId: string, status: FinishStatus | undefined, json: boolean, pushgateway: string | undefined): Promise<number> {
	const recording = await openRecording(location, redisUrl);
	let finished: Awaited<ReturnType<CiRecorder['finishRun']>>;
	try {
		const recorder = new CiRecorder({index: recording?.writer.store ?? null, emitter: recording?.emitter ?? null, warn});
		finished = await recorder.finishRun(runId, status);
		if (!finished && recording && recorder.recording) {
			warn(`no run "${runId}" in ${recording.writer.store.location}; nothing to finish`);
		}
	} finally {
		await closeRecording(recording);
	}

	if (!finished || location === null) {
		return 0;
	}

	const artifacts = await writeArtifacts(location, finished.run.run_id);
	if (pushgateway !== undefined && pushgateway !== '') {
		await pushFigures(location, finished.run.run_id, pushgateway);
	}

	if (json) {
		writeJson({run_id: finished.run.run_id, trace_id: finished.run.trace_id, status: finished.status, artifacts});
	} else {
		process.stdout.write(`run ${finished.run.run_id} finished: ${finished.status}${artifacts === null ? '' : `\nartifacts: ${artifacts}`}\n`);
	}

	return 0;
}
