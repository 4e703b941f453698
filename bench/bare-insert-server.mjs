/**
 * The baseline of serve-load's throughput figures: the least an OTLP
 * receiver that stores what serve stores can do. OTLP/HTTP protobuf and
 * OTLP/gRPC on free ports; each request is decoded with tracedeck's own
 * protobuf decoder, then the very rows `tracedeck serve` stored for its
 * traces (its events, spans and runs, read back from serve's home by the
 * bench: ready-rows) are inserted raw with prepared statements into the
 * same schema (tracedeck's migrations: the same indexes, search tables and
 * triggers), committed before the 200 (WAL, synchronous=NORMAL: serve's
 * durability), with serve's group commit: the requests decoded by the time
 * the event loop turns (setImmediate) share one transaction. Without it the
 * floor was slower than serve: a commit per request, with its full-text
 * index flush, costs more than all of serve's own work. No validation, no
 * conversion, no redaction, no fold, no reads, and no checkpoint at all
 * (serve checkpoints on a worker thread; the floor pays none). The same
 * floor as the ingest figure's "raw prepared inserts of the same rows".
 * Plain JS over the compiled dist, like otlp-clients.mjs.
 *
 * Usage: node bench/bare-insert-server.mjs <db file> <ready-rows file>;
 * the db file holds tracedeck's schema and nothing else. Prints
 * `listening <http url> <grpc host:port>` on stdout, stops on SIGTERM.
 * A request with a trace that has no ready rows answers 500.
 */
import fs from 'node:fs';
import http from 'node:http';
import v8 from 'node:v8';
import {Server, ServerCredentials} from '@grpc/grpc-js';
import Database from 'better-sqlite3';
import {decodeExportTraceRequest, encodeExportTraceResponse} from '../dist/interop/otlp-protobuf.js';
import {INSERT_SIZES} from '../dist/store/fold-writes.js';

const db = new Database(process.argv[2]);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma('wal_autocheckpoint = 0');
/** @type {{eventColumns: string[], spanColumns: string[], runColumns: string[], traces: Array<[string, {events: unknown[][], spans: unknown[][], runs: unknown[][]}]>}} */
const ready = v8.deserialize(fs.readFileSync(process.argv[3]));
const rowsByTrace = new Map(ready.traces);
/*
 * Multi-row inserts in tracedeck's fixed sizes (store/fold-writes.ts INSERT_SIZES): a single-row insert
 * into these tables (triggers, several indexes) costs SQLite a statement journal each, and ran the same
 * rows at about half the speed; the floor writes them the fastest way known.
 */
function inserter(table, columns) {
	const tuple = `(${columns.map(() => '?').join(', ')})`;
	const bySize = new Map(INSERT_SIZES.map(size => [size, db.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${Array.from({length: size}, () => tuple).join(', ')}`)]));
	return rows => {
		let from = 0;
		for (const size of INSERT_SIZES) {
			for (; rows.length - from >= size; from += size) {
				bySize.get(size).run(rows.slice(from, from + size).flat());
			}
		}
	};
}

const insertEvents = inserter('events', ready.eventColumns);
const insertSpans = inserter('spans', ready.spanColumns);
const insertRuns = inserter('runs', ready.runColumns);
const store = db.transaction(documents => {
	const traces = new Set();
	for (const document of documents) {
		for (const resource of document.resourceSpans ?? []) {
			for (const scope of resource.scopeSpans ?? []) {
				for (const span of scope.spans ?? []) {
					traces.add(span.traceId);
				}
			}
		}
	}

	const rows = [...traces].map(traceId => {
		const ready = rowsByTrace.get(traceId);
		if (!ready) {
			throw new Error(`no ready rows for trace ${traceId}`);
		}

		return ready;
	});
	insertEvents(rows.flatMap(one => one.events));
	insertSpans(rows.flatMap(one => one.spans));
	insertRuns(rows.flatMap(one => one.runs));
});
const ok = Buffer.from(encodeExportTraceResponse());

/** Requests waiting for the next group commit: their decoded documents and how each is answered. */
let waiting = [];
function commitSoon(document, answer) {
	waiting.push({document, answer});
	if (waiting.length === 1) {
		setImmediate(() => {
			const batch = waiting;
			waiting = [];
			let failure;
			try {
				store.immediate(batch.map(one => one.document));
			} catch (error) {
				failure = error;
			}

			for (const one of batch) one.answer(failure);
		});
	}
}

const server = http.createServer((request, response) => {
	const chunks = [];
	request.on('data', chunk => chunks.push(chunk));
	request.on('end', () => {
		const answer = error => {
			if (error === undefined) {
				response.writeHead(200, {'content-type': 'application/x-protobuf', 'content-length': ok.length});
				response.end(ok);
			} else {
				response.writeHead(500);
				response.end(String(error));
			}
		};

		try {
			commitSoon(decodeExportTraceRequest(Buffer.concat(chunks)), answer);
		} catch (error) {
			answer(error);
		}
	});
});
server.keepAliveTimeout = 60_000;
await new Promise(resolve => server.listen(0, '127.0.0.1', resolve));

const identity = bytes => bytes;
const grpc = new Server();
grpc.addService(
	{
		export: {
			path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
			requestStream: false,
			responseStream: false,
			requestSerialize: identity,
			requestDeserialize: identity,
			responseSerialize: identity,
			responseDeserialize: identity,
		},
	},
	{
		export(call, callback) {
			const answer = error => (error === undefined ? callback(null, ok) : callback(error));
			try {
				commitSoon(decodeExportTraceRequest(call.request), answer);
			} catch (error) {
				answer(error);
			}
		},
	},
);
const grpcPort = await new Promise((resolve, reject) => grpc.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve(port))));

process.stdout.write(`listening http://127.0.0.1:${server.address().port} 127.0.0.1:${grpcPort}\n`);
process.once('SIGTERM', () => {
	server.close();
	server.closeAllConnections();
	grpc.forceShutdown();
	db.close();
	process.exit(0);
});
