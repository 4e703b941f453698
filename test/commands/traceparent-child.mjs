// An instrumented program as exec runs it: the OpenTelemetry SDK takes its
// parent from TRACEPARENT (W3C propagation over the environment) and writes
// its spans as an OTLP/JSON request to the file named by its argument.
import fs from 'node:fs';
import {context, propagation, trace, defaultTextMapGetter, ROOT_CONTEXT, SpanKind} from '@opentelemetry/api';
import {W3CTraceContextPropagator} from '@opentelemetry/core';
import {JsonTraceSerializer} from '@opentelemetry/otlp-transformer';
import {resourceFromAttributes} from '@opentelemetry/resources';
import {InMemorySpanExporter, SimpleSpanProcessor} from '@opentelemetry/sdk-trace-base';
import {NodeTracerProvider} from '@opentelemetry/sdk-trace-node';

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({resource: resourceFromAttributes({'service.name': 'migrator'}), spanProcessors: [new SimpleSpanProcessor(exporter)]});
propagation.setGlobalPropagator(new W3CTraceContextPropagator());
const carrier = {traceparent: process.env.TRACEPARENT ?? '', tracestate: process.env.TRACESTATE ?? ''};
const parent = propagation.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);
const tracer = provider.getTracer('migrator-lib', '1.0.0');
const span = tracer.startSpan('apply migrations', {kind: SpanKind.CLIENT}, parent);
context.with(trace.setSpan(parent, span), () => span.end());
await provider.forceFlush();
fs.writeFileSync(process.argv[2], JsonTraceSerializer.serializeRequest(exporter.getFinishedSpans()));
await provider.shutdown();
// What the environment said, for the test to compare.
process.stdout.write(JSON.stringify(carrier));
