import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {childTraceEnv, formatTraceparent, parseTraceparent} from '../../source/emit/traceparent.js';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const SPAN = 'b7ad6b7169203331';

describe('W3C traceparent in the environment', () => {
	it('reads a valid traceparent, in any case, and refuses what W3C calls invalid', () => {
		assert.deepEqual(parseTraceparent(`00-${TRACE}-${SPAN}-01`), {trace_id: TRACE, span_id: SPAN, sampled: true});
		assert.deepEqual(parseTraceparent(` 00-${TRACE.toUpperCase()}-${SPAN}-00 `), {trace_id: TRACE, span_id: SPAN, sampled: false});
		assert.deepEqual(parseTraceparent(`01-${TRACE}-${SPAN}-01-future`), {trace_id: TRACE, span_id: SPAN, sampled: true}, 'a later version may add fields');
		for (const bad of [undefined, '', 'garbage', `ff-${TRACE}-${SPAN}-01`, `00-${'0'.repeat(32)}-${SPAN}-01`, `00-${TRACE}-${'0'.repeat(16)}-01`, `00-${TRACE}-${SPAN}-01-extra`, `00-${TRACE}-${SPAN}`]) {
			assert.equal(parseTraceparent(bad), undefined, String(bad));
		}
	});

	it('hands a child its span as TRACEPARENT, keeps TRACESTATE, and leaves ids of another shape alone', () => {
		const env = {TRACESTATE: 'ci=1', TRACEPARENT: `00-${'1'.repeat(32)}-${'2'.repeat(16)}-01`};
		assert.deepEqual(childTraceEnv(env, TRACE, SPAN), {TRACESTATE: 'ci=1', TRACEPARENT: formatTraceparent(TRACE, SPAN)});
		assert.equal(formatTraceparent(TRACE, SPAN), `00-${TRACE}-${SPAN}-01`);
		assert.equal(childTraceEnv(env, 'trace-deploy-1', SPAN), env, 'a trace id that is not W3C hex cannot travel');
	});
});
