import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import {sanitizeMessage} from '../../source/core/sanitize.js';
import type {CliResult} from '../helpers/run-cli.js';
import {runInProcess} from '../helpers/in-process-cli.js';
import {tempHome} from '../helpers/temp-home.js';

/**
 * Issue 14, item 7: an error that quotes what the user gave (a run name, a
 * setting, a path) is one line on stderr, without escape sequences or
 * controls, its bidirectional and zero-width characters shown rather than
 * obeyed, and exits with the code the README documents. In-process.
 */

const home = tempHome('tracedeck-sanitized-');
// A title change (removed whole, its text too), a screen clear, a right-to-left override and a zero-width space.
const HOSTILE = 'x\u001b]0;pwned\u0007\u001b[2J\u202eevil\u200b';

function assertOneCleanLine(result: CliResult, code: number, mentions: RegExp): void {
	assert.equal(result.code, code, result.stderr);
	assert.equal(result.stdout, '');
	assert.match(result.stderr, /^tracedeck: [^\n]*\n$/, 'one line');
	assert.doesNotMatch(result.stderr.trimEnd(), /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]/, 'no escape, control, bidi or zero-width character');
	assert.match(result.stderr, /<U\+202E>evil/, 'the hidden characters are shown');
	assert.match(result.stderr, mentions);
}

describe('sanitized errors', () => {
	it('sanitized errors: sanitizeMessage drops escapes and controls, joins lines, and names bidi and zero-width characters', () => {
		assert.equal(sanitizeMessage('a\u001b[31mb\nc\u2066d\ufeff'), 'ab c<U+2066>d<U+FEFF>');
	});

	it('sanitized errors: runs show of a name with escapes and bidi characters: not found (exit 3) in one clean line', async () => {
		fs.mkdirSync(path.join(home, 'empty'));
		assertOneCleanLine(await runInProcess(['runs', 'show', HOSTILE, '--json'], {home: path.join(home, 'empty')}), 3, /no run matches "x<U\+202E>evil<U\+200B>"/);
	});

	it('sanitized errors: a TRACEDECK_REDIS_URL holding them is a usage error (exit 2) naming the setting', async () => {
		assertOneCleanLine(await runInProcess(['runs', 'tail', 'any'], {home, env: {TRACEDECK_REDIS_URL: `redis://localhost:${HOSTILE}`}}), 2, /TRACEDECK_REDIS_URL is not a usable Redis URL: port "x<U\+202E>evil" is not a number/);
	});

	it('sanitized errors: a --home holding them that is a file is an unusable home (exit 4) naming it', async () => {
		const file = path.join(home, HOSTILE);
		fs.writeFileSync(file, 'not a folder');
		assertOneCleanLine(await runInProcess(['runs', 'show', 'any', '--home', file]), 4, /cannot use .*x<U\+202E>evil<U\+200B>\/runs\.db/);
	});

	it('sanitized errors: a TRACEDECK_RETENTION holding them is a usage error (exit 2) naming the setting', async () => {
		assertOneCleanLine(await runInProcess(['runs', 'purge', '--dry-run'], {home, env: {TRACEDECK_RETENTION: `prod=9${HOSTILE}`}}), 2, /^tracedeck: TRACEDECK_RETENTION: "prod=9x<U\+202E>evil<U\+200B>" is not <env>=<duration>/);
	});

	it('sanitized errors: ingest of a missing file so named is not found (exit 3), and a bad file so named is refused (exit 2), each in one clean line', async () => {
		assertOneCleanLine(await runInProcess(['ingest', path.join(home, `missing-${HOSTILE}.jsonl`)], {home}), 3, /missing-x<U\+202E>evil<U\+200B>\.jsonl: no such file/);
		const bad = path.join(home, `bad-${HOSTILE}.jsonl`);
		fs.writeFileSync(bad, '{"trace_id": "t", "span_id": "s", "event_type": "step:started", "timestamp": "2026-02-30T10:00:00Z"}\n');
		assertOneCleanLine(await runInProcess(['ingest', bad], {home}), 2, /bad-x<U\+202E>evil<U\+200B>\.jsonl:1: timestamp: day 30 does not exist/);
	});
});
