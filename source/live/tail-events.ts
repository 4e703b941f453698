import {applyEvent, terminalStatus} from '../core/fold.js';
import {displayName} from '../core/span-name.js';
import {isLogRecord} from '../core/log-record.js';
import {atLeast, severityLevel, severityName, type SeverityLevel} from '../core/log-severity.js';
import {sanitize} from '../core/sanitize.js';
import type {Span} from '../core/span.js';
import {terminalSafeJson} from '../core/terminal-json.js';
import {statusSymbol, UNICODE} from '../core/symbols.js';
import {walkStepPath} from '../core/tree.js';
import {eventKind, eventPhase, type TraceEvent} from '../core/trace-event.js';

/** error: failures, stderr lines and ERROR/FATAL log records; warn: also retries, compensations and WARN records; info: everything (a step's stdout lines too). */
export type TailLevel = 'error' | 'warn' | 'info';
export const TAIL_LEVELS: readonly TailLevel[] = ['error', 'warn', 'info'];

function logSeverity(event: TraceEvent): SeverityLevel {
	const data = event.data ?? {};
	return severityLevel(typeof data['severity_number'] === 'number' ? data['severity_number'] : 0, typeof data['severity_text'] === 'string' ? data['severity_text'] : '');
}

/** How a log record names its severity on a tail line: its own text, else the number's name. */
function severityWord(event: TraceEvent): string {
	const data = event.data ?? {};
	const text = typeof data['severity_text'] === 'string' ? data['severity_text'].trim() : '';
	return text !== '' ? text : severityName(typeof data['severity_number'] === 'number' ? data['severity_number'] : 0) || 'LOG';
}

export function isFailureEvent(event: TraceEvent): boolean {
	return event.status === 'failed' || terminalStatus(event) === 'failed';
}

export function matchesLevel(event: TraceEvent, level: TailLevel): boolean {
	if (level === 'info') {
		return true;
	}

	if (isLogRecord(event)) {
		// A log record says how loud it is: its own severity decides, not its being a log line.
		return atLeast(logSeverity(event), level);
	}

	const kind = eventKind(event.event_type);
	// A step's stderr line counts as an error, as it always has; a stdout line is info only.
	if (isFailureEvent(event) || (kind === 'log' && event.data?.['stream'] !== 'stdout')) {
		return true;
	}

	const retry = event.data?.['retry'];
	return level === 'warn' && ((retry !== undefined && retry !== null) || (kind === 'saga' && eventPhase(event.event_type).startsWith('compensat')));
}

/**
 * Names and parents of a trace's spans, kept up to date as events arrive, to
 * label each event with its step path the way `runs show` does.
 */
export class SpanPaths {
	private readonly spans = new Map<string, Span>();

	constructor(spans: readonly Span[] = []) {
		for (const span of spans) {
			this.spans.set(span.span_id, span);
		}
	}

	apply(event: TraceEvent): void {
		const previous = this.spans.get(event.span_id);
		// A log record names its span but does not make one: labels wait for the span itself.
		if (previous !== undefined || !isLogRecord(event)) {
			this.spans.set(event.span_id, applyEvent(previous, event));
		}
	}

	/**
	 * The span's step path as `runs show` spells it (core/tree.ts walkStepPath,
	 * with its cap on depth), so that a path copied from there matches
	 * `--step`; "" for a root. A span whose parent has not arrived is a root
	 * here, as it is in the tree.
	 */
	pathOf(spanId: string): string {
		return walkStepPath(id => {
			const span = this.spans.get(id);
			if (!span) {
				return undefined;
			}

			const parent = span.parent_span_id !== null && this.spans.has(span.parent_span_id) ? span.parent_span_id : null;
			return {parent, name: displayName(span)};
		}, spanId);
	}

	/** What to print for a span: its step path, else (a root) its name. */
	label(spanId: string): string {
		const path = this.pathOf(spanId);
		if (path !== '') {
			return path;
		}

		const span = this.spans.get(spanId);
		return span ? displayName(span) : spanId;
	}
}

function text(value: unknown): string | undefined {
	if (typeof value === 'string') {
		return value;
	}

	if (typeof value === 'number' || typeof value === 'boolean') {
		return String(value);
	}

	return undefined;
}

function errorText(value: unknown): string | undefined {
	if (value && typeof value === 'object') {
		return text((value as Record<string, unknown>)['message']) ?? JSON.stringify(value);
	}

	return text(value);
}

/** The one-line gist of an event: the stderr line, the error, the decision, what a compensation undoes, the retry. Unsanitized. */
export function eventMessage(event: TraceEvent, paths: SpanPaths): string {
	const data = event.data ?? {};
	const kind = eventKind(event.event_type);
	if (kind === 'log') {
		return text(data['line']) ?? '';
	}

	const parts: string[] = [];
	if (event.event_type === 'ai:decision') {
		const decision = text(data['decision']);
		const confidence = typeof data['confidence'] === 'number' ? ` (confidence ${data['confidence']})` : '';
		const others = Array.isArray(data['alternatives']) ? data['alternatives'].map(alt => text((alt as Record<string, unknown> | null)?.['option'])).filter(option => option !== undefined && option !== decision) : [];
		const reasoning = text(data['reasoning']);
		parts.push(`chose ${decision ?? '?'}${confidence}${others.length > 0 ? ` over ${others.join(', ')}` : ''}${reasoning ? `: ${reasoning}` : ''}`);
	}

	const original = text(data['original_span_id']);
	if (kind === 'saga' && original !== undefined) {
		parts.push(`undoes ${paths.label(original)}`);
	}

	const retry = data['retry'];
	if (retry && typeof retry === 'object') {
		const r = retry as Record<string, unknown>;
		const exit = typeof r['exit_code'] === 'number' ? ` (exit ${r['exit_code']})` : '';
		const n = text(r['n']);
		parts.push(`retry${n === undefined ? '' : ` ${n}`}${exit}`);
	}

	const error = errorText(data['error']);
	if (error !== undefined) {
		parts.push(error);
	} else if (text(data['message']) !== undefined) {
		parts.push(text(data['message'])!);
	} else if (typeof data['exit_code'] === 'number' && data['exit_code'] !== 0) {
		parts.push(`exit ${data['exit_code']}`);
	}

	return parts.join('; ');
}

/** Where a tailed event came from: the run index before the tail started, or live. */
export type TailSource = 'history' | 'redis' | 'polling';

/** One tailed event, as --json prints it (one object per line). */
export interface TailRecord {
	time: string;
	step_path: string;
	name: string;
	event_type: string;
	status: TraceEvent['status'] | null;
	message: string;
	source: TailSource;
	event: TraceEvent;
}

export function tailRecord(event: TraceEvent, source: TailSource, paths: SpanPaths): TailRecord {
	return {
		time: event.timestamp,
		step_path: paths.pathOf(event.span_id),
		name: paths.label(event.span_id),
		event_type: event.event_type,
		status: event.status ?? terminalStatus(event) ?? null,
		message: eventMessage(event, paths),
		source,
		event,
	};
}

/** One line of `runs tail --json`. */
export function tailJson(record: TailRecord): string {
	return terminalSafeJson(record);
}

export interface LineStyle {
	/** Status cues; ASCII where the terminal is not UTF-8. */
	symbol(status: 'success' | 'failed' | 'pending'): string;
	failed(text: string): string;
	success(text: string): string;
	dim(text: string): string;
	warn(text: string): string;
}

export const PLAIN_STYLE: LineStyle = {
	symbol: status => statusSymbol(status, UNICODE),
	failed: text => text,
	success: text => text,
	dim: text => text,
	warn: text => text,
};

function clock(timestamp: string): string {
	const ms = Date.parse(timestamp);
	return Number.isNaN(ms) ? sanitize(timestamp, true).slice(0, 12).padEnd(12) : new Date(ms).toISOString().slice(11, 23);
}

/**
 * One text line: time (UTC), status cue, status, step path or name, event
 * type, message. Untrusted text is sanitized and kept on one line.
 */
export function formatTailLine(record: TailRecord, style: LineStyle = PLAIN_STYLE, maxMessage = 2000): string {
	const kind = eventKind(record.event_type);
	const status = record.status;
	// A step's stdout line is plain output; any other log line (stderr, a marker) is a warning to the eye.
	const loudLog = kind === 'log' && record.event.data?.['stream'] !== 'stdout';
	let word = status ?? (kind === 'log' ? (loudLog ? 'stderr' : 'stdout') : 'running');
	let cue = kind === 'log' ? (loudLog ? '!' : '-') : style.symbol(status ?? 'pending');
	let paint = status === 'failed' ? style.failed : status === 'success' ? style.success : loudLog ? style.warn : (s: string) => s;
	if (isLogRecord(record.event)) {
		// The record's own severity ("ERROR", "warn"), producer text: sanitized and cut like the rest.
		const loudness = logSeverity(record.event);
		word = sanitize(severityWord(record.event), true).slice(0, 12);
		cue = loudness === 'info' ? '-' : '!';
		paint = loudness === 'error' ? style.failed : loudness === 'warn' ? style.warn : (s: string) => s;
	}

	let message = sanitize(record.message, true);
	if (message.length > maxMessage) {
		message = `${message.slice(0, maxMessage)}…`;
	}

	const head = `${style.dim(clock(record.time))} ${paint(`${cue} ${word.padEnd(7)}`)} ${sanitize(record.name, true)}  ${style.dim(sanitize(record.event_type, true))}`;
	return message === '' ? head : `${head}  ${message}`;
}
