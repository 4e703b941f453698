import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {ROOT_CONTEXT, SpanKind, SpanStatusCode, trace} from '@opentelemetry/api';
import {resourceFromAttributes} from '@opentelemetry/resources';
import {BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan} from '@opentelemetry/sdk-trace-base';
import {REPO} from '../helpers/repo-root.js';

/** The hand-written trace files in test/interop/formats/, one per format. */
export const FORMATS_DIR = pathToFileURL(`${path.join(REPO, 'test/interop/formats')}/`);
export const FORMAT_FIXTURES = fs.readdirSync(FORMATS_DIR).sort();

export function fixturePath(name: string): string {
	return fileURLToPath(new URL(name, FORMATS_DIR));
}

export function fixtureBytes(name: string): Buffer {
	return fs.readFileSync(new URL(name, FORMATS_DIR));
}

export function fixtureJson<T = unknown>(name: string): T {
	return JSON.parse(fixtureBytes(name).toString('utf8')) as T;
}

/** A Collector file exporter stream (format: proto): each message after its length, 4 bytes big-endian. */
export function framed(...messages: Uint8Array[]): Buffer {
	return Buffer.concat(
		messages.flatMap(message => {
			const length = Buffer.alloc(4);
			length.writeUInt32BE(message.byteLength);
			return [length, Buffer.from(message)];
		}),
	);
}

/**
 * Spans from the real OpenTelemetry SDK at exact times (T = 2026-01-01T12:00Z):
 * a failed SERVER root "POST /checkout" from T to T+250 ms, and its failed
 * CLIENT child "charge" from T+15.5 ms to T+195.75 ms ("card declined") with
 * a "retry" event (n 2) at T+100 ms. The resource names service "shop" and
 * the run "run-sdk-1". The SDK hands them over as they end: the child first.
 */
export async function sdkSpans(): Promise<ReadableSpan[]> {
	const exporter = new InMemorySpanExporter();
	const provider = new BasicTracerProvider({
		resource: resourceFromAttributes({'service.name': 'shop', 'devcmd.run_id': 'run-sdk-1'}),
		spanProcessors: [new SimpleSpanProcessor(exporter)],
	});
	const tracer = provider.getTracer('checkout-lib', '2.0.0');
	const root = tracer.startSpan('POST /checkout', {kind: SpanKind.SERVER, startTime: [1767268800, 0]});
	const child = tracer.startSpan('charge', {kind: SpanKind.CLIENT, startTime: [1767268800, 15_500_000], attributes: {'card.brand': 'visa'}}, trace.setSpan(ROOT_CONTEXT, root));
	child.addEvent('retry', {n: 2}, [1767268800, 100_000_000]);
	child.setStatus({code: SpanStatusCode.ERROR, message: 'card declined'});
	child.end([1767268800, 195_750_000]);
	root.setStatus({code: SpanStatusCode.ERROR});
	root.end([1767268800, 250_000_000]);
	await provider.forceFlush();
	const spans = exporter.getFinishedSpans();
	await provider.shutdown();
	return spans;
}
