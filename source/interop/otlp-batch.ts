import type {TraceEvent} from '../core/trace-event.js';
import {otlpToEvents, OtlpParseError} from './otlp-to-events.js';

/** What one export request turned into. */
export interface OtlpBatch {
	events: TraceEvent[];
	/** Spans in the request. */
	spans: number;
	/** Spans left out because they were invalid; the rest were kept. */
	rejectedSpans: number;
	/** Why, for the partial-success answer: the first problem, with where it was. */
	errorMessage: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function listAt(value: unknown, key: string, where: string): unknown[] {
	if (!isRecord(value)) {
		throw new OtlpParseError(`${where}: expected an object`);
	}

	const list = value[key];
	if (list === undefined || list === null) {
		return [];
	}

	if (!Array.isArray(list)) {
		throw new OtlpParseError(`${where}.${key}: expected an array`);
	}

	return list;
}

/**
 * Convert an ExportTraceServiceRequest (OTLP/JSON shape) to TraceEvents,
 * keeping the valid spans when some are not: OTLP's partial success. A
 * document that is not OTLP at all (no resourceSpans array) throws
 * OtlpParseError and nothing is kept.
 */
export function convertOtlpBatch(document: unknown): OtlpBatch {
	if (!isRecord(document) || !Array.isArray(document['resourceSpans'])) {
		throw new OtlpParseError('not an OTLP trace export: no "resourceSpans" array');
	}

	const resourceSpans = document['resourceSpans'] as unknown[];

	let spans = 0;
	for (const [i, rs] of resourceSpans.entries()) {
		for (const [j, ss] of listAt(rs, 'scopeSpans', `resourceSpans.${i}`).entries()) {
			spans += listAt(ss, 'spans', `resourceSpans.${i}.scopeSpans.${j}`).length;
		}
	}

	try {
		return {events: otlpToEvents(document), spans, rejectedSpans: 0, errorMessage: ''};
	} catch (error) {
		if (!(error instanceof OtlpParseError)) {
			throw error;
		}
	}

	// Slow path, only for a request with a bad span: convert span by span and keep the good ones.
	const events: TraceEvent[] = [];
	let rejectedSpans = 0;
	let firstProblem = '';
	for (const [i, rs] of resourceSpans.entries()) {
		const resource = (rs as Record<string, unknown>)['resource'];
		for (const [j, ss] of listAt(rs, 'scopeSpans', `resourceSpans.${i}`).entries()) {
			for (const [k, span] of listAt(ss, 'spans', `resourceSpans.${i}.scopeSpans.${j}`).entries()) {
				try {
					events.push(...otlpToEvents({resourceSpans: [{resource, scopeSpans: [{spans: [span]}]}]}));
				} catch (error) {
					if (!(error instanceof OtlpParseError)) {
						throw error;
					}

					rejectedSpans++;
					if (firstProblem === '') {
						// The path is within the one-span document built above; name the span in the request instead.
						const message = error.message.replace(/^resourceSpans\.0\.(?:scopeSpans\.0\.spans\.0\.)?/, '');
						firstProblem = `span resourceSpans[${i}].scopeSpans[${j}].spans[${k}]: ${message}`;
					}
				}
			}
		}
	}

	return {
		events,
		spans,
		rejectedSpans,
		errorMessage: `${rejectedSpans} of ${spans} spans rejected; first: ${firstProblem}`,
	};
}
