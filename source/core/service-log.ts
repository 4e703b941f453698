import type {SpanScope} from './trace-event.js';

/**
 * An OpenTelemetry log record that names no trace: it belongs to no run, so
 * the run index keeps it under its service (the resource's service.name).
 */
export interface ServiceLog {
	/** The resource's service.name; "" when the resource named none. */
	service: string;
	/** From the resource, by the rule runs follow (devcmd.env, else deployment.environment[.name]). */
	env: string | null;
	/** ISO 8601: the record's time, else the time it was observed. */
	time: string;
	severity_number: number;
	severity_text: string;
	/** The body as text: a string as it is, anything else as JSON. */
	body: string;
	attributes: Record<string, unknown>;
	resource: Record<string, unknown>;
	scope?: SpanScope;
	event_name?: string;
	observed_time?: string;
}
