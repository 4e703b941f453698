import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import {describe, it} from 'node:test';
import type {TraceEvent} from '../../source/core/trace-event.js';
import {readTraceFile} from '../../source/interop/input-files.js';
import {readTraceFileParts} from '../../source/interop/trace-file-parts.js';
import {failedDeploy, toJsonl} from '../helpers/events.js';
import {tempHome} from '../helpers/temp-home.js';

/*
 * readTraceFileParts reads what readTraceFile reads, a piece at a time when
 * the file is JSON Lines: the same events, formats, notes and errors, and
 * the same choice between JSON Lines and one document, made from the head
 * of the file.
 */

type Outcome = {events: TraceEvent[]; formats: string[]; notes: string[]} | {error: string};

function whole(file: string): Outcome {
	try {
		const read = readTraceFile(file);
		return {events: read.events, formats: read.formats, notes: read.notes};
	} catch (error) {
		return {error: `${(error as Error).constructor.name}: ${(error as Error).message}`};
	}
}

async function parted(file: string, partEvents: number): Promise<Outcome & {streamed?: boolean}> {
	const read = readTraceFileParts(file, {partEvents});
	const events: TraceEvent[] = [];
	try {
		for await (const part of read.parts) {
			assert.ok(part.length > 0 && (part.length <= partEvents || !read.streamed() || part.length < partEvents * 50), 'parts of about partEvents');
			events.push(...part);
		}
	} catch (error) {
		return {error: `${(error as Error).constructor.name}: ${(error as Error).message}`};
	}

	const {formats, notes} = read.end();
	return {events, formats, notes, streamed: read.streamed()};
}

const events = failedDeploy('t1');
const otlpLine = JSON.stringify({
	resourceSpans: [{resource: {attributes: [{key: 'service.name', value: {stringValue: 'api'}}]}, scopeSpans: [{spans: [{traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: 'GET /', startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000001000000000'}]}]}],
});
const logsLine = JSON.stringify({resourceLogs: []});

/** Name, content, and whether it is read a piece at a time. */
const CORPUS: Array<[string, string | Buffer, boolean]> = [
	['jsonl', toJsonl(events), true],
	['jsonl without a final newline', toJsonl(events).trimEnd(), true],
	['crlf', toJsonl(events).replace(/\n/g, '\r\n'), true],
	['bom and blank lines first', `\uFEFF\n  \n${toJsonl(events)}`, true],
	['no-break space line after the first', `${JSON.stringify(events[0])}\n\u00A0\n`, true],
	['no-break space line before the first', `\u00A0\n${JSON.stringify(events[0])}\n`, true],
	['one line', `${JSON.stringify(events[0])}\n`, false],
	['one line and blank lines', `\n${JSON.stringify(events[0])}\n\n \n`, false],
	['an array of events', JSON.stringify(events), false],
	['an array over lines', `[\n${events.map(event => JSON.stringify(event)).join(',\n')}\n]\n`, false],
	['pretty OTLP', JSON.stringify(JSON.parse(otlpLine), null, 2), false],
	['OTLP one line', otlpLine, false],
	['OTLP JSON Lines', `${otlpLine}\n${otlpLine}\n`, true],
	['OTLP JSON Lines with logs', `${otlpLine}\n${logsLine}\n`, true],
	['only logs', `${logsLine}\n${logsLine}\n`, true],
	['bad last line', `${toJsonl(events)}{"trace_id": "t1"}\n`, true],
	['not JSON last line', `${toJsonl(events)}nope\n`, true],
	['cut short', `${toJsonl(events)}{"trace_id": "t1", "sp`, true],
	['invalid UTF-8 on line 5', Buffer.concat([Buffer.from(toJsonl(events.slice(0, 4))), Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d, 0x0a])]), true],
	['invalid UTF-8 on line 1', Buffer.concat([Buffer.from('{"a": "'), Buffer.from([0xc3]), Buffer.from('"}\n{}\n')]), false],
	['a line that is not a record', `${toJsonl(events)}{"hello": 1}\n`, true],
	['first line broken', `{"trace_id":\n${toJsonl(events)}`, false],
	['empty', '', false],
	['blank', ' \n\n', false],
	['gzip', zlib.gzipSync(toJsonl(events)), false],
	['binary', Buffer.from([0x0a, 0x01, 0x02, 0x03]), false],
];

describe('readTraceFileParts', () => {
	const dir = tempHome();

	for (const [name, content, streams] of CORPUS) {
		it(`reads ${name} as readTraceFile does`, async () => {
			const file = path.join(dir, `${name.replace(/\W+/g, '-')}.jsonl`);
			fs.writeFileSync(file, content);
			const expected = whole(file);
			for (const partEvents of [1, 3, 10_000]) {
				const {streamed, ...actual} = await parted(file, partEvents);
				assert.deepEqual(actual, expected, `${name}, parts of ${partEvents}`);
				if (streamed !== undefined) {
					assert.equal(streamed, streams, `${name}: read a piece at a time`);
				}
			}
		});
	}

	it('reads lines across its reads (a line longer than a read, a big file)', async () => {
		const long = {...events[0]!, data: {...events[0]!.data, note: 'x'.repeat(3 * 1024 * 1024)}};
		const many = Array.from({length: 30_000}, (_, i) => ({...events[i % events.length]!, trace_id: `t${i % 7}`}));
		const file = path.join(dir, 'big.jsonl');
		fs.writeFileSync(file, toJsonl([events[1]!, long, ...many, long]));
		const expected = whole(file);
		const actual = await parted(file, 1000);
		assert.equal(actual.streamed, true);
		delete actual.streamed;
		assert.deepEqual(actual, expected);
	});

	it('names a file it cannot read as readTraceFile does', async () => {
		for (const file of [path.join(dir, 'missing.jsonl'), dir]) {
			assert.deepEqual(await parted(file, 10), whole(file));
		}
	});
});
