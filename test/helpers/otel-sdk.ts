import type {Tracer} from '@opentelemetry/api';
import {resourceFromAttributes} from '@opentelemetry/resources';
import {BatchSpanProcessor, SimpleSpanProcessor, type SpanExporter} from '@opentelemetry/sdk-trace-base';
import {NodeTracerProvider} from '@opentelemetry/sdk-trace-node';

export interface SdkTraceOptions {
	/** The resource's attributes: service.name, devcmd.run_id, ... */
	resource: Record<string, string>;
	/** The instrumentation scope the tracer reports. */
	scope?: string;
	scopeVersion?: string;
	/** A BatchSpanProcessor (the SDK's usual one) instead of a SimpleSpanProcessor. */
	batch?: boolean;
}

/** A tracer of the real OpenTelemetry SDK, and how to be sure its spans have left. */
export interface SdkTracer {
	tracer: Tracer;
	/** Flush and shut the provider down: every span has been sent, and answered, when this resolves. */
	finish(): Promise<void>;
}

/** A tracer from a NodeTracerProvider exporting through `exporter`. */
export function sdkTracer(exporter: SpanExporter, options: SdkTraceOptions): SdkTracer {
	const provider = new NodeTracerProvider({
		resource: resourceFromAttributes(options.resource),
		spanProcessors: [options.batch ? new BatchSpanProcessor(exporter) : new SimpleSpanProcessor(exporter)],
	});
	return {
		tracer: provider.getTracer(options.scope ?? 'tracedeck-test', options.scopeVersion),
		async finish() {
			await provider.forceFlush();
			await provider.shutdown();
		},
	};
}
