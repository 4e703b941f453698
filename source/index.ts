/**
 * tracedeck as a library: the producer API. Emit TraceEvents from your code
 * (runs, steps, sagas, AI decisions) into a tracedeck home; read them with the
 * tracedeck console and CLI. Nothing here loads the terminal UI.
 */
export {TraceEmitter, type OpenEmitterOptions, type TraceEmitterOptions} from './emit/emitter.js';
export type {EventSink} from './live/event-sink.js';
export {EventWriter, openEventWriter, type EventWriterOptions, type OpenEventWriterOptions, type OwnedEventWriter} from './live/event-writer.js';
export {
	SPAN_KINDS,
	TraceContext,
	type CompensationOptions,
	type DecisionAlternative,
	type DecisionInput,
	type EventEmitting,
	type EventInput,
	type SpanRef,
	type TraceOptions,
} from './emit/trace-context.js';
export {RunContext, type FinishOptions, type RunOutcome, type StartRunOptions} from './emit/run-context.js';
export {activeSpan, type ActiveSpan} from './emit/span-scope.js';
export {newSpanId, newTraceId, rootSpanIdForRun, stepSpanId, traceIdForRun} from './emit/ids.js';
export {formatRunId} from './core/run-id.js';
export {
	CIRCULAR_MARKER,
	createRedactor,
	DEFAULT_MAX_DEPTH,
	isRedactedMarker,
	isSecretKey,
	redactCommandWords,
	redactData,
	redactedMarker,
	redactEvent,
	redactLines,
	redactText,
	secretKeyMatcher,
	toRedactedJson,
	type RedactOptions,
	type Redactor,
} from './core/redact.js';
export {errorData, type ErrorData} from './emit/error-data.js';
export {ConfigError, DiskFullError, InputError, NotFoundError, StoreBusyError, StoreError, TracedeckError} from './core/errors.js';
export type {JsonObject, JsonValue} from './core/json-value.js';
export type {EventStatus, TraceEvent} from './core/trace-event.js';
export type {Retry, Span, SpanError, SpanStatus} from './core/span.js';
export type {GitInfo, Run, RunStatus} from './core/run.js';
