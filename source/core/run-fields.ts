import type {Span} from './span.js';

/**
 * The OTLP attribute names of a run's fields, on the root span or its
 * resource (DESIGN: "the run id is the resource or span attribute
 * devcmd.run_id"). TraceEvent producers give the same fields in the root's
 * data under the names on the left. Export writes these names and ingest
 * leaves them as the attributes they are, so that a span gives back exactly
 * the attributes it came with.
 */
export const RUN_ATTRIBUTES = {
	run_id: ['devcmd.run_id', 'tracedeck.run_id'],
	env: ['devcmd.env'],
	target: ['devcmd.target'],
	plan_hash: ['devcmd.plan_hash'],
	runner: ['runner.id'],
	user: ['devcmd.user'],
	total_steps: ['devcmd.total_steps'],
} as const satisfies Record<string, readonly string[]>;

/** Git fields: tracedeck's names, then OpenTelemetry's VCS conventions. */
export const GIT_ATTRIBUTES = {
	sha: ['git.sha', 'vcs.ref.head.revision'],
	branch: ['git.branch', 'vcs.ref.head.name'],
} as const satisfies Record<string, readonly string[]>;

function firstOf(names: readonly string[], ...records: Array<Record<string, unknown>>): unknown {
	for (const record of records) {
		for (const name of names) {
			if (record[name] !== undefined && record[name] !== '') {
				return record[name];
			}
		}
	}

	return undefined;
}

/**
 * A root's attributes with the run's fields under their TraceEvent names,
 * read from the OTLP names where the span or its resource has them (the span
 * first; an OTLP name beats a look-alike plain attribute, as `env`). Only a
 * root that declares no parent speaks for its run.
 */
export function runFieldsOf(root: Span): Record<string, unknown> {
	if (root.parent_span_id !== null) {
		return root.attributes;
	}

	const resource = root.resource ?? {};
	const out: Record<string, unknown> = {...root.attributes};
	for (const [field, names] of Object.entries(RUN_ATTRIBUTES)) {
		const value = firstOf(names, root.attributes, resource);
		if (value !== undefined) {
			out[field] = value;
		}
	}

	const sha = firstOf(GIT_ATTRIBUTES.sha, root.attributes, resource);
	const branch = firstOf(GIT_ATTRIBUTES.branch, root.attributes, resource);
	if (typeof sha === 'string' || typeof branch === 'string') {
		out['git'] = {...(typeof sha === 'string' ? {sha} : {}), ...(typeof branch === 'string' ? {branch} : {})};
	}

	return out;
}
