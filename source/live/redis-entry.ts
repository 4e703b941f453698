import type {TraceEvent} from '../core/trace-event.js';

/**
 * How an event sits in a Redis stream entry, and the order of entry ids
 * (which streams: redis-keys.ts). No ioredis here: readers and writers share
 * this without loading a client.
 */

/** Field holding the event JSON (exactly the body SQLite stored, so a reader can check it is the row its SQLite id names). */
export const EVENT_FIELD = 'e';
/**
 * Field holding the writer's SQLite event id: it lets readers keep SQLite
 * order, and names the event exactly, so that an event delivered from SQLite
 * and from Redis is delivered once while two identical events are both delivered.
 */
export const STORED_ID_FIELD = 'i';

export interface DecodedEntry {
	/** The stream entry id, "<ms>-<seq>". */
	id: string;
	/** The event JSON as published. */
	body: string;
	event: TraceEvent;
	/** The writer's SQLite event id, when the writer sent one. */
	storedId: number | undefined;
}

export function entryFields(body: string, storedId: number | undefined): string[] {
	return storedId === undefined ? [EVENT_FIELD, body] : [EVENT_FIELD, body, STORED_ID_FIELD, String(storedId)];
}

function isTraceEvent(value: unknown): value is TraceEvent {
	if (!value || typeof value !== 'object') {
		return false;
	}

	const record = value as Record<string, unknown>;
	return typeof record['trace_id'] === 'string' && typeof record['span_id'] === 'string' && typeof record['event_type'] === 'string' && typeof record['timestamp'] === 'string';
}

/** An entry as XREAD returns it; undefined for anything that is not one of our events (streams are shared). */
export function decodeEntry(id: string, fields: readonly string[]): DecodedEntry | undefined {
	let body: string | undefined;
	let storedId: number | undefined;
	for (let i = 0; i + 1 < fields.length; i += 2) {
		if (fields[i] === EVENT_FIELD) {
			body = fields[i + 1];
		} else if (fields[i] === STORED_ID_FIELD) {
			const n = Number(fields[i + 1]);
			storedId = Number.isSafeInteger(n) && n > 0 ? n : undefined;
		}
	}

	if (body === undefined) {
		return undefined;
	}

	let event: unknown;
	try {
		event = JSON.parse(body);
	} catch {
		return undefined;
	}

	return isTraceEvent(event) ? {id, body, event, storedId} : undefined;
}

function parseId(id: string): [number, number] {
	const dash = id.indexOf('-');
	return dash === -1 ? [Number(id), 0] : [Number(id.slice(0, dash)), Number(id.slice(dash + 1))];
}

/** Order of two stream ids ("<ms>-<seq>"); string order is wrong once the ms part gains a digit. */
export function compareStreamIds(a: string, b: string): number {
	const [am, as] = parseId(a);
	const [bm, bs] = parseId(b);
	return am - bm || as - bs;
}

/** The stream id just before anything added at `ms` (XREAD returns ids strictly after it). */
export function streamIdAt(ms: number): string {
	return `${Math.max(0, Math.floor(ms))}-0`;
}
