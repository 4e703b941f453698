import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {z} from 'zod';
import {InputError, TracedeckError} from '../core/errors.js';
import {sanitize} from '../core/sanitize.js';
import {writeFileAtomic} from '../interop/atomic-file.js';
import type {HomeSource} from '../live/settings.js';
import {RunIndex} from '../store/run-index.js';

/*
 * Which homes `demo` may fill. The demo replaces the runs in its home each
 * time, so it must know that home is its own: a runs.db holds an on-call
 * engineer's history, and nothing in a SQLite file says "this is only demo
 * data". So demo fills a home only when
 *   - the folder does not exist or is empty, or
 *   - it holds demo's mark (DEMO_MARKER) and its runs.db, if any, holds one
 *     of the runs demo generated there (or no events at all).
 * Anything else is refused (exit 2) with the flag to use; demo deletes
 * nothing then. Adding the demo's fake runs beside real ones was the other
 * choice, and the worse one: they would count in the real failure rates and
 * could never be told apart again.
 *
 * The runs check is what makes the mark trustworthy: a real runs.db copied
 * into a demo home has none of the generated trace ids.
 */

/** The file that says a home is the demo's. */
export const DEMO_MARKER = 'demo-home.json';

/** The home demo uses when neither --home nor TRACEDECK_HOME names one: never the real ~/.tracedeck. */
export const DEMO_DEFAULT_HOME = path.join(os.homedir(), '.tracedeck-demo');

const DB_FILES = ['runs.db', 'runs.db-wal', 'runs.db-shm'] as const;

/** How many generated trace ids the mark keeps: enough that a purge rarely removes them all. */
const CANARIES = 16;

const markerSchema = z.object({
	created_by: z.literal('tracedeck demo'),
	filled_at: z.string(),
	canary_trace_ids: z.array(z.string().regex(/^[0-9a-f]{32}$/)).min(1),
});

export type DemoHomeState = 'fresh' | 'demo';

function describeHome(home: string, source: HomeSource): string {
	const shown = sanitize(home, true);
	return source === 'flag' ? `--home ${shown}` : source === 'env' ? `TRACEDECK_HOME (${shown})` : shown;
}

function refuse(home: string, source: HomeSource, why: string): never {
	const fix = source === 'default' ? `remove its runs.db* yourself if it is only old demo data, or pass --home with a new or empty folder (e.g. --home "$(mktemp -d)")` : 'pass --home with a new or empty folder (e.g. --home "$(mktemp -d)")';
	throw new InputError(`demo will not fill ${describeHome(home, source)}: ${why}; demo only replaces runs it generated, so ${fix}`);
}

function readMarker(home: string): z.infer<typeof markerSchema> | undefined {
	let text: string;
	try {
		text = fs.readFileSync(path.join(home, DEMO_MARKER), 'utf8');
	} catch {
		return undefined;
	}

	try {
		const parsed = markerSchema.safeParse(JSON.parse(text));
		return parsed.success ? parsed.data : undefined;
	} catch {
		return undefined;
	}
}

/** True when the runs.db is the one demo filled: it holds a generated run, or nothing at all. */
function holdsDemoRuns(home: string, canaries: readonly string[]): boolean {
	let index: RunIndex;
	try {
		index = RunIndex.open(home, {readonly: true});
	} catch (error) {
		if (error instanceof TracedeckError) {
			return false;
		}

		throw error;
	}

	try {
		return index.maxEventId() === 0 || canaries.some(traceId => index.spans(traceId).length > 0);
	} finally {
		index.close();
	}
}

/**
 * Whether demo may fill `home`: 'fresh' (missing or empty) or 'demo' (its
 * own). Throws an InputError (exit 2) for any other home, having touched
 * nothing.
 */
export function checkDemoHome(home: string, source: HomeSource): DemoHomeState {
	let stat: fs.Stats;
	try {
		stat = fs.statSync(home);
	} catch {
		return 'fresh';
	}

	if (!stat.isDirectory()) {
		refuse(home, source, 'it is not a folder');
	}

	const entries = fs.readdirSync(home);
	if (entries.length === 0) {
		return 'fresh';
	}

	const marker = readMarker(home);
	const hasDb = entries.includes('runs.db');
	if (marker === undefined) {
		refuse(home, source, hasDb ? `it holds a runs.db that demo did not create (no ${DEMO_MARKER})` : 'it is not empty and demo did not create it');
	}

	if (hasDb && !holdsDemoRuns(home, marker.canary_trace_ids)) {
		refuse(home, source, 'its runs.db is not the one demo filled there (it holds none of the generated runs)');
	}

	return 'demo';
}

/**
 * Empty a home checkDemoHome accepted and mark it for the data set about to
 * be written, whose first run must be the first appended. The order keeps
 * the home recognisable after a crash at any point: the old runs.db goes
 * first (the old mark still vouches for the folder), the new mark names the
 * new runs before they exist (an empty runs.db passes), and the first run
 * appended is one the mark names.
 */
export function resetDemoHome(home: string, traceIds: readonly string[], now: Date): void {
	for (const name of DB_FILES) {
		fs.rmSync(path.join(home, name), {force: true});
	}

	fs.mkdirSync(home, {recursive: true});
	const step = Math.max(1, Math.floor(traceIds.length / CANARIES));
	const canaries = traceIds.filter((_, i) => i % step === 0).slice(0, CANARIES);
	const marker: z.infer<typeof markerSchema> = {created_by: 'tracedeck demo', filled_at: now.toISOString(), canary_trace_ids: canaries};
	writeFileAtomic(path.join(home, DEMO_MARKER), `${JSON.stringify(marker, null, 2)}\n`);
}
