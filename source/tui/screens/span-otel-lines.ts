import {atLeast, severityLevel, severityName} from '../../core/log-severity.js';
import type {Span} from '../../core/span.js';
import type {TraceTree} from '../../core/tree.js';
import {clean, cleanLines, inlineValue, wrap, type Line} from '../text.js';
import {LONG, more, offset, section, SHORT, type DetailOptions} from './detail-lines.js';

/** "checkout-lib@1.2.3", or the name alone. */
function scopeText(span: Span): string | undefined {
	return span.scope ? clean(span.scope.version ? `${span.scope.name}@${span.scope.version}` : span.scope.name) : undefined;
}

/** Attributes on one line, "k=v k=v", for events and links; the Line is cut to the screen's width. */
function inlineAttributes(attributes: Record<string, unknown>): string {
	return Object.entries(attributes)
		.map(([key, value]) => `${clean(key)}=${inlineValue(value, 120)}`)
		.join(' ');
}

/**
 * Where the span came from, as OpenTelemetry says it: service, span kind
 * and instrumentation scope on one line; nothing for a TraceEvent producer
 * that said none of them.
 */
export function originLine(span: Span, options: DetailOptions): Line[] {
	const parts = [span.service === null ? undefined : `service ${clean(span.service)}`, span.span_kind ?? undefined, scopeText(span) === undefined ? undefined : `scope ${scopeText(span)!}`].filter((part): part is string => part !== undefined);
	return parts.length === 0 ? [] : [[{text: parts.join(` ${options.symbols.dot} `), dim: true}]];
}

/** The declared parent when it is not in the trace: the span then stands as a root. */
export function missingParentLine(span: Span, tree: TraceTree): Line[] {
	if (span.parent_span_id === null || tree.byId.has(span.parent_span_id)) {
		return [];
	}

	return [
		[
			{text: `  parent ${clean(span.parent_span_id)} not received`, color: 'yellow'},
			{text: ' (shown as a root)', dim: true},
		],
	];
}

/** The producer's status message, unless the error above already says it. */
function statusMessageLines(span: Span, width: number): Line[] {
	if (span.status_message === null || span.status_message === span.error?.message) {
		return [];
	}

	const text = cleanLines(span.status_message).join(' ');
	return [[], section('STATUS MESSAGE'), ...wrap(text, Math.max(10, width - 4)).map((part): Line => [{text: `  ${part}`}])];
}

/** Span events: time after the span's start, name, attributes. */
function eventLines(span: Span, options: DetailOptions): Line[] {
	if (span.events.length === 0) {
		return [];
	}

	const limit = options.expandData ? LONG.events : SHORT.events;
	const lines: Line[] = [[], section('EVENTS', `(${span.events.length})`)];
	for (const event of span.events.slice(0, limit)) {
		lines.push([{text: `  ${offset(event.time_ms - span.start_ms).padStart(8)}  `, dim: true}, {text: event.name === '' ? '(unnamed)' : clean(event.name), bold: true}, {text: `  ${inlineAttributes(event.attributes)}`}]);
	}

	lines.push(...more(span.events.length - limit, 'events', options.expandData));
	return lines;
}

const LEVEL_COLOR = {error: 'red', warn: 'yellow', info: undefined} as const;

/**
 * OpenTelemetry log records emitted within the span, in time order: time
 * after the span's start, severity (as the record says it, coloured by the
 * level runs tail --level uses), body.
 */
function logLines(span: Span, options: DetailOptions): Line[] {
	const logs = span.logs ?? [];
	if (logs.length === 0) {
		return [];
	}

	const limit = options.expandData ? LONG.logs : SHORT.logs;
	const floor = options.level ?? 'info';
	// The level filter (`v`) as runs tail --level has it (core/log-severity.ts atLeast); the heading says how many it hides.
	const shown = logs.filter(log => atLeast(severityLevel(log.severity_number, log.severity_text), floor));
	const hidden = logs.length - shown.length;
	const lines: Line[] = [[], section('LOGS', hidden === 0 ? `(${logs.length})` : `(${shown.length} of ${logs.length}; ${hidden} below the level filter, v)`)];
	for (const log of shown.slice(0, limit)) {
		const level = severityLevel(log.severity_number, log.severity_text);
		const word = clean(log.severity_text.trim() || severityName(log.severity_number) || 'LOG');
		lines.push([{text: `  ${offset(log.time_ms - span.start_ms).padStart(8)}  `, dim: true}, {text: word.padEnd(5), color: LEVEL_COLOR[level], bold: level !== 'info'}, {text: `  ${cleanLines(log.body).join(' ')}`}]);
	}

	lines.push(...more(shown.length - limit, 'log records', options.expandData));
	return lines;
}

function linkLines(span: Span, options: DetailOptions): Line[] {
	if (span.links.length === 0) {
		return [];
	}

	const limit = options.expandData ? LONG.links : SHORT.links;
	const lines: Line[] = [[], section('LINKS', `(${span.links.length})`)];
	for (const link of span.links.slice(0, limit)) {
		const where = link.trace_id === span.trace_id ? 'this trace' : `trace ${clean(link.trace_id)}`;
		lines.push([{text: `  ${options.symbols.arrow} span ${clean(link.span_id)} in ${where}`}]);
		if (Object.keys(link.attributes).length > 0) {
			lines.push([{text: `    ${inlineAttributes(link.attributes)}`, dim: true}]);
		}
	}

	lines.push(...more(span.links.length - limit, 'links', options.expandData));
	return lines;
}

/** Resource attributes, short: the service is on the header already, and most resources are long. */
function resourceLines(span: Span, options: DetailOptions): Line[] {
	const entries = Object.entries(span.resource ?? {});
	if (entries.length === 0) {
		return [];
	}

	const limit = options.expandData ? LONG.resource : SHORT.resource;
	const keyWidth = Math.min(28, Math.max(...entries.map(([key]) => clean(key).length)));
	const lines: Line[] = [[], section('RESOURCE', `(${entries.length} attribute${entries.length === 1 ? '' : 's'})`)];
	for (const [key, value] of entries.slice(0, limit)) {
		lines.push([{text: `  ${clean(key).padEnd(keyWidth)}  `, dim: true}, {text: inlineValue(value)}]);
	}

	lines.push(...more(entries.length - limit, 'resource attributes', options.expandData));
	return lines;
}

/** The sections for what OpenTelemetry producers send beside data: status message, events, log records, links, resource. */
export function otelSections(span: Span, options: DetailOptions): Line[] {
	return [...statusMessageLines(span, options.width), ...eventLines(span, options), ...logLines(span, options), ...linkLines(span, options), ...resourceLines(span, options)];
}
