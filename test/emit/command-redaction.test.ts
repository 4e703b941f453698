import assert from 'node:assert/strict';
import {test} from 'node:test';
import {redactCommand, redactShellCommand} from '../../source/emit/command-redaction.js';
import {secretKeyMatcher} from '../../source/core/redact.js';
import {formatRunId} from '../../source/emit/run-id.js';
import {stepSegments} from '../../source/emit/step-path.js';

const isSecret = secretKeyMatcher();

test('secret-named options and variables are redacted in a command line', () => {
	assert.deepEqual(
		redactCommand(['deploy', '--token=abc123', '--password', 'pw', '--verbose', 'API_KEY=k1', '-v', '--name', 'api'], isSecret),
		['deploy', '--token=<redacted:6chars>', '--password', '<redacted:2chars>', '--verbose', 'API_KEY=<redacted:2chars>', '-v', '--name', 'api'],
	);
	assert.deepEqual(redactCommand(['--secret', '--force'], isSecret), ['--secret', '--force'], 'a flag after a secret flag is no value');
	assert.equal(redactShellCommand('DB_PASSWORD=s3cret npm run migrate -- --auth-token  xyz', isSecret), 'DB_PASSWORD=<redacted:6chars> npm run migrate -- --auth-token  <redacted:3chars>');
});

test('run ids: run-<yyyyMMdd-HHmmss>-<shortsha> in UTC, without the sha when there is none', () => {
	const at = new Date('2026-11-24T03:15:09.999Z');
	assert.equal(formatRunId(at, '3f2a9c1'), 'run-20261124-031509-3f2a9c1');
	assert.equal(formatRunId(at), 'run-20261124-031509');
	assert.equal(formatRunId(at, ''), 'run-20261124-031509');
});

test('step paths: segments, blanks dropped, an empty path refused', () => {
	assert.deepEqual(stepSegments('build/unit'), ['build', 'unit']);
	assert.deepEqual(stepSegments(' build//unit/ '), ['build', 'unit']);
	assert.throws(() => stepSegments('//'), /no step name/);
});
