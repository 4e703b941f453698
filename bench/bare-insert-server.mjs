/**
 * The baseline of serve-load's throughput figures: the least an OTLP
 * receiver that stores can do. OTLP/HTTP protobuf and OTLP/gRPC on free
 * ports, each request decoded with tracedeck's own protobuf decoder, then its
 * spans inserted raw (one event row and one span row per span, the body as
 * JSON, like serve's events and spans tables) in one SQLite transaction per
 * request, committed before the 200 (WAL, synchronous=NORMAL: serve's
 * durability). No validation, no redaction, no fold, no run summary.
 * Plain JS over the compiled dist, like otlp-clients.mjs.
 *
 * Usage: node bench/bare-insert-server.mjs <db file>; prints
 * `listening <http url> <grpc host:port>` on stdout, stops on SIGTERM.
 */
import http from 'node:http';
import {Server, ServerCredentials} from '@grpc/grpc-js';
import Database from 'better-sqlite3';
import {decodeExportTraceRequest, encodeExportTraceResponse} from '../dist/interop/otlp-protobuf.js';

const db = new Database(process.argv[2]);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec(`CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, trace_id TEXT NOT NULL, span_id TEXT NOT NULL, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS spans (trace_id TEXT NOT NULL, span_id TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (trace_id, span_id)) WITHOUT ROWID;`);
const insertEvent = db.prepare('INSERT INTO events (trace_id, span_id, body) VALUES (?, ?, ?)');
const insertSpan = db.prepare('INSERT OR REPLACE INTO spans (trace_id, span_id, body) VALUES (?, ?, ?)');
const store = db.transaction(document => {
	let n = 0;
	for (const resource of document.resourceSpans ?? []) {
		for (const scope of resource.scopeSpans ?? []) {
			for (const span of scope.spans ?? []) {
				const body = JSON.stringify(span);
				insertEvent.run(span.traceId, span.spanId, body);
				insertSpan.run(span.traceId, span.spanId, body);
				n++;
			}
		}
	}

	return n;
});
const ok = Buffer.from(encodeExportTraceResponse());

const server = http.createServer((request, response) => {
	const chunks = [];
	request.on('data', chunk => chunks.push(chunk));
	request.on('end', () => {
		try {
			store(decodeExportTraceRequest(Buffer.concat(chunks)));
			response.writeHead(200, {'content-type': 'application/x-protobuf', 'content-length': ok.length});
			response.end(ok);
		} catch (error) {
			response.writeHead(500);
			response.end(String(error));
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
			try {
				store(decodeExportTraceRequest(call.request));
				callback(null, ok);
			} catch (error) {
				callback(error);
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
