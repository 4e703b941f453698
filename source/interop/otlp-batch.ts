import type {TraceEvent} from '../core/trace-event.js';
import {otlpToEvents, OtlpParseError} from './otlp-to-events.js';
import {isRecord} from '../core/json-value.js';
import {listAt} from './otlp-lists.js';

/** What one export request turned into. */
export interface OtlpBatch {
	events: TraceEvent[];
	/** Spans in the request. */
	spans: number;
	/** Spans left out because they were invalid; the rest were kept. */
	rejectedSpans: number;
	/** Why, for the partial-success answer: how many, and the first problem. */
	errorMessage: string;
	/** The first problem, with where it was in the request ('' when none). */
	firstProblem: string;
}

function rejectionMessage(rejected: number, spans: number, firstProblem: string): string {
	return `${rejected} of ${spans} spans rejected; first: ${firstProblem}`;
}

/** Where a slice of a request starts in the whole of it, so that a problem is named by its place in the request. */
interface SliceOrigin {
	resource: number;
	scope: number;
	span: number;
}

/**
 * Convert an ExportTraceServiceRequest (OTLP/JSON shape) to TraceEvents,
 * keeping the valid spans when some are not: OTLP's partial success. A
 * document that is not OTLP at all (no resourceSpans array) throws
 * OtlpParseError and nothing is kept.
 */
export function convertOtlpBatch(document: unknown, at: SliceOrigin = {resource: 0, scope: 0, span: 0}): OtlpBatch {
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
		return {events: otlpToEvents(document), spans, rejectedSpans: 0, errorMessage: '', firstProblem: ''};
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
						firstProblem = `span resourceSpans[${i + at.resource}].scopeSpans[${j + at.scope}].spans[${k + at.span}]: ${message}`;
					}
				}
			}
		}
	}

	return {
		events,
		spans,
		rejectedSpans,
		errorMessage: rejectionMessage(rejectedSpans, spans, firstProblem),
		firstProblem,
	};
}

/**
 * convertOtlpBatch for a server: the request converted `sliceSpans` spans at
 * a time (each slice keeps its resource and scope, so the events are those
 * of the whole), awaiting `pause` between slices so that a request of
 * 100,000 spans does not hold the event loop for the seconds it takes.
 */
export async function convertOtlpBatchInSlices(document: unknown, pause: () => Promise<void>, sliceSpans: number): Promise<OtlpBatch> {
	if (!isRecord(document) || !Array.isArray(document['resourceSpans'])) {
		throw new OtlpParseError('not an OTLP trace export: no "resourceSpans" array');
	}

	const whole: OtlpBatch = {events: [], spans: 0, rejectedSpans: 0, errorMessage: '', firstProblem: ''};
	for (const [i, rs] of (document['resourceSpans'] as unknown[]).entries()) {
		for (const [j, ss] of listAt(rs, 'scopeSpans', `resourceSpans.${i}`).entries()) {
			const spans = listAt(ss, 'spans', `resourceSpans.${i}.scopeSpans.${j}`);
			for (let k = 0; k < spans.length; k += sliceSpans) {
				const slice = {resourceSpans: [{...(rs as Record<string, unknown>), scopeSpans: [{...(ss as Record<string, unknown>), spans: spans.slice(k, k + sliceSpans)}]}]};
				const batch = convertOtlpBatch(slice, {resource: i, scope: j, span: k});
				for (const event of batch.events) {
					whole.events.push(event);
				}

				whole.spans += batch.spans;
				whole.rejectedSpans += batch.rejectedSpans;
				if (whole.firstProblem === '') {
					whole.firstProblem = batch.firstProblem;
				}

				await pause();
			}
		}
	}

	if (whole.rejectedSpans > 0) {
		whole.errorMessage = rejectionMessage(whole.rejectedSpans, whole.spans, whole.firstProblem);
	}

	return whole;
}
