import type {OtlpKeyValue} from './otlp-attributes.js';
import type {OtlpResourceSpansJson, OtlpScopeJson, OtlpScopeSpansJson, OtlpSpanJson, OtlpTracesJson} from './otlp-json.js';

/**
 * Spans converted from another format, gathered as OTLP nests them: one
 * ResourceSpans per resource (a Jaeger process, a Zipkin local service), one
 * ScopeSpans per instrumentation scope within it, spans in the order they came.
 */
export class ResourceGroups {
	readonly #groups = new Map<string, {resourceSpans: OtlpResourceSpansJson; scopes: Map<string, OtlpScopeSpansJson>}>();

	/** `resource` is asked for once per `resourceKey`, the first time it is seen. */
	add(resourceKey: string, resource: () => OtlpKeyValue[], scope: OtlpScopeJson, span: OtlpSpanJson): void {
		let group = this.#groups.get(resourceKey);
		if (!group) {
			group = {resourceSpans: {resource: {attributes: resource()}, scopeSpans: []}, scopes: new Map()};
			this.#groups.set(resourceKey, group);
		}

		const scopeKey = `${scope.name ?? ''}\n${scope.version ?? ''}`;
		let scopeSpans = group.scopes.get(scopeKey);
		if (!scopeSpans) {
			scopeSpans = {...(scope.name === undefined && scope.version === undefined ? {} : {scope}), spans: []};
			group.scopes.set(scopeKey, scopeSpans);
			group.resourceSpans.scopeSpans!.push(scopeSpans);
		}

		scopeSpans.spans!.push(span);
	}

	document(): OtlpTracesJson {
		return {resourceSpans: [...this.#groups.values()].map(group => group.resourceSpans)};
	}
}

/** The scope a converted span names (`otel.scope.*`, or `otel.library.*` from before the rename), without empty fields. */
export function scopeOf(name: string | undefined, version: string | undefined): OtlpScopeJson {
	return {...(name ? {name} : {}), ...(version ? {version} : {})};
}
