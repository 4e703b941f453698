/*
 * Links out of a span (to logs, dashboards, an APM's trace view), from
 * templates the user writes in the config file's [links] table:
 * `logs = "https://logs.example/?trace={trace_id}&span={span_id}"`.
 * Every value comes from a producer, so each is URL-encoded: nothing it holds
 * can end the URL, add a query parameter or reach the terminal as an escape.
 */

/** The placeholders a template may name, in the order the docs list them. */
export const LINK_PLACEHOLDERS = ['run_id', 'trace_id', 'span_id', 'service', 'env', 'target', 'start', 'end', 'start_ms', 'end_ms'] as const;

export type LinkPlaceholder = (typeof LINK_PLACEHOLDERS)[number];

/** What one span gives the placeholders; null (a span still open has no end) expands to nothing. */
export type LinkValues = Readonly<Record<LinkPlaceholder, string | null>>;

/** A link as shown: its name from the config, and the expanded URL. */
export interface SpanLinkOut {
	name: string;
	url: string;
}

// `{name}`: the braces and what is between them, up to the first closing one.
const PLACEHOLDER = /\{([^{}]*)\}/g;
const KNOWN: ReadonlySet<string> = new Set(LINK_PLACEHOLDERS);
// encodeURIComponent throws on a lone surrogate: producers' strings are not always well formed.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
// A template is the user's own text, but still never carries a control character into an OSC 8 sequence.
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g;

/** The names a template uses that are not placeholders, for the config error that names them. */
export function unknownPlaceholders(template: string): string[] {
	const unknown: string[] = [];
	for (const match of template.matchAll(PLACEHOLDER)) {
		const name = match[1]!;
		if (!KNOWN.has(name) && !unknown.includes(name)) {
			unknown.push(name);
		}
	}

	return unknown;
}

function encodeValue(value: string | null): string {
	return value === null ? '' : encodeURIComponent(value.replace(LONE_SURROGATE, '\ufffd'));
}

/**
 * The template with each `{placeholder}` replaced by its URL-encoded value.
 * The config check refuses unknown placeholders; one that slipped through is
 * left as written rather than guessed at.
 */
export function expandLinkTemplate(template: string, values: LinkValues): string {
	return template.replace(CONTROLS, '').replace(PLACEHOLDER, (whole, name: string) => (KNOWN.has(name) ? encodeValue(values[name as LinkPlaceholder]) : whole));
}

/** The placeholder values of a span in its run: ISO times and epoch milliseconds (whole, as dashboards take them). */
export function spanLinkValues(span: {trace_id: string; span_id: string; service?: string | null; start_ms: number; end_ms: number | null}, run: {run_id: string; env: string | null; target: string | null} | null): LinkValues {
	const iso = (ms: number | null): string | null => (ms === null || !Number.isFinite(ms) ? null : new Date(ms).toISOString());
	const whole = (ms: number | null): string | null => (ms === null || !Number.isFinite(ms) ? null : String(Math.floor(ms)));
	return {
		run_id: run?.run_id ?? span.trace_id,
		trace_id: span.trace_id,
		span_id: span.span_id,
		service: span.service ?? null,
		env: run?.env ?? null,
		target: run?.target ?? null,
		start: iso(span.start_ms),
		end: iso(span.end_ms),
		start_ms: whole(span.start_ms),
		// A span still open ends (for a link) where it rounds up to: a time window must include it.
		end_ms: span.end_ms === null || !Number.isFinite(span.end_ms) ? null : String(Math.ceil(span.end_ms)),
	};
}

/** Every configured link of a span, in the config's order. */
export function spanLinks(templates: Readonly<Record<string, string>>, values: LinkValues): SpanLinkOut[] {
	return Object.entries(templates).map(([name, template]) => ({name, url: expandLinkTemplate(template, values)}));
}
