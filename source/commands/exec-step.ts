import os from 'node:os';
import {redactCommandWords, redactText} from '../core/redact.js';
import {startChild, type ChildOutcome} from '../emit/child-step.js';
import {CiRecorder} from '../emit/ci-run.js';
import {stepSpanId} from '../emit/ids.js';
import {LineTail} from '../emit/line-tail.js';
import {heartbeatMs, StepOutput} from '../emit/step-output.js';
import {childTraceEnv, parseTraceparent} from '../emit/traceparent.js';
import {DEFAULT_STUCK_AFTER_MS, parseStuckAfter} from '../core/active-runs.js';
import {stuckAfterText} from '../live/active-runs.js';
import {announce, closeRecording, newRunFields, openRecording, safely, warn, type RecordingTarget} from './exec-recording.js';

/*
 * exec's child process: the command run as the step, again while it fails
 * and retries are left, with the signals held so its outcome is recorded.
 */

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];

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

export interface StepRequest {
	/** Where it records; a null location (a warning said so) and no endpoint: the step runs unrecorded. */
	target: RecordingTarget;
	runId: string | undefined;
	segments: string[];
	retries: number;
	command: string[];
	fields: {name?: string; env?: string; target?: string};
}

export async function execStep(request: StepRequest): Promise<number> {
	const env = process.env;
	const recording = await openRecording(request.target);
	const recorder = new CiRecorder({index: recording?.reader ?? null, emitter: recording?.emitter ?? null, warn});
	let childRunning = false;
	const signals = holdSignals(() => childRunning);
	try {
		const run = await safely(async () => recorder.ensureRun(request.runId, () => newRunFields(request.fields, env)));
		if (run?.created && recorder.recording) {
			announce(run, env);
		}

		const shown = request.command.length === 1 ? redactText(request.command[0]!) : redactCommandWords(request.command);
		// A bad TRACEDECK_STUCK_AFTER (or stuck_after) is the console's error to report; the step just beats at the default's pace.
		const output = run && recorder.recording ? new StepOutput({record: async events => recorder.record(events), heartbeatMs: heartbeatMs(parseStuckAfter(stuckAfterText(env)) ?? DEFAULT_STUCK_AFTER_MS)}) : null;
		const tail = new LineTail(50, 4096, Date.now, line => output?.line('stderr', line));
		const stdoutLines = output ? new LineTail(1, 4096, Date.now, line => output.line('stdout', line)) : null;
		// The command runs inside the step's span: an instrumented program's spans join the run under the step.
		const childEnv = run ? childTraceEnv(env, run.trace_id, stepSpanId(run.run_id, request.segments)) : env;
		const attempt = async (): Promise<ChildOutcome> => {
			childRunning = true;
			const handle = startChild(request.command, {onStderr: chunk => tail.push(chunk), ...(stdoutLines ? {onStdout: (chunk: Buffer) => stdoutLines.push(chunk)} : {}), env: childEnv});
			return handle.done.finally(() => {
				childRunning = false;
				tail.end();
				stdoutLines?.end();
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
		if (step && output) {
			output.attach(recorder.leafEvent(step, 'log:stderr'));
		}

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

		await output?.close();
		if (step) {
			await safely(async () => recorder.stepEnded(step, {outcome, attempts, stderr: tail.lines()}));
		}

		return outcome.exitCode;
	} finally {
		signals.release();
		await closeRecording(recording);
	}
}
