// A producer on another machine, as a test's child process: the emitter from
// dist, sending to the `tracedeck serve` at TRACEDECK_ENDPOINT (with
// TRACEDECK_TOKEN when set), its spool in TRACEDECK_HOME.
//
//   node emitter-child.mjs replay <events.jsonl>   emit these events as they are (ids, times), 20 at a time
//   node emitter-child.mjs run <run_id> <lines>    a run of its own: start, <lines> stdout lines in a step, finish
//
// Prints one JSON line when everything was accepted (or spooled): {"emitted": n}.
import fs from 'node:fs';
import {TraceEmitter} from '../../dist/index.js';

const [mode, arg, count] = process.argv.slice(2);
const warnings = [];
const emitter = await TraceEmitter.open({warn: message => warnings.push(message)});
let emitted = 0;
if (mode === 'replay') {
	const events = fs
		.readFileSync(arg, 'utf8')
		.split('\n')
		.filter(line => line !== '')
		.map(line => JSON.parse(line));
	for (let i = 0; i < events.length; i += 20) {
		emitted += (await emitter.emitAll(events.slice(i, i + 20))).length;
	}
} else if (mode === 'run') {
	const run = await emitter.startRun({run_id: arg, name: `emitted ${arg}`, env: 'ci', target: 'api'});
	await run.trace(
		'step',
		async step => {
			for (let i = 0; i < Number(count); i++) {
				await emitter.emit({trace_id: run.trace_id, span_id: step.span_id, event_type: 'log:stdout', data: {line: `${arg} line ${i}`}});
				emitted += 1;
			}
		},
		{name: 'work'},
	);
	await run.finish('success');
	// workflow:started, step:started, step:completed, workflow:completed.
	emitted += 4;
} else {
	throw new Error(`emitter-child: unknown mode ${mode}`);
}

await emitter.close();
if (warnings.length > 0) {
	process.stderr.write(`${warnings.join('\n')}\n`);
	process.exit(1);
}

process.stdout.write(`${JSON.stringify({emitted})}\n`);
