import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import meow, {type AnyFlags} from 'meow';
import {COMMON_FLAGS} from '../../source/commands/command-flags.js';
import {plainFlags} from '../../source/commands/plain-flags.js';
import {RUN_FILTER_FLAGS} from '../../source/commands/run-filter-flags.js';

/** What parseFlags asks meow for: the reference plainFlags must agree with. */
function viaMeow(argv: string[], flags: AnyFlags): {input: string[]; flags: Record<string, unknown>} {
	const result = meow('help', {importMeta: import.meta, argv, flags, allowUnknownFlags: false, autoVersion: false, description: false, booleanDefault: undefined});
	return {input: result.input, flags: result.flags};
}

const SPECS: Record<string, AnyFlags> = {
	'runs list': {...COMMON_FLAGS, ...RUN_FILTER_FLAGS, limit: {type: 'number', default: 50}, parent: {type: 'string'}, correlation: {type: 'string'}},
	'runs show': {...COMMON_FLAGS, text: {type: 'boolean', default: false}, exitStatus: {type: 'boolean', default: false}},
	'runs open': {...COMMON_FLAGS, browser: {type: 'boolean', default: true}},
	'runs purge': {...COMMON_FLAGS, dryRun: {type: 'boolean', default: false}, keep: {type: 'string'}},
	'runs report': {...COMMON_FLAGS, format: {type: 'string', default: 'sox'}, since: {type: 'string', default: '30d'}, env: {type: 'string'}},
	exec: {...COMMON_FLAGS, run: {type: 'string'}, retries: {type: 'number', default: 0}, finish: {type: 'boolean', default: false}, status: {type: 'string'}},
	'no default boolean': {...COMMON_FLAGS, quiet: {type: 'boolean'}},
};

const LINES: string[][] = [
	[],
	['--json'],
	['run-20260301-101500-3f2a9c1', '--json'],
	['3f2a9c1'],
	['123', '1e3', '0x10', 'a b'],
	['--env', 'prod', '--target', 'deploy', '--since', '48h', '--json'],
	['--env=prod', '--status=failed', '--limit', '0'],
	['--limit=7', '--plan-hash', 'abc123', '--home', '/tmp/h', '--db=postgres://u@h/d?x=1'],
	['--limit', '123456789', '--parent', 'ab12cd3', '--correlation', 'loan=42'],
	['--since', '2026-03-01T10:00:00Z', '--env', '007', '--config', './c.toml'],
	['--text', '--exit-status', 'run-a'],
	['--exit-status', 'run-a', 'run-b', '--json'],
	['--browser'],
	['--dry-run', '--keep', '30d'],
	['--format', 'sox', '--since', '7d', '--env', 'prod'],
	['--run', 'r1', '--retries', '2', '--finish', '--status', 'success'],
	['--quiet'],
	['--env', 'prod eu', '--target', 'a=b', '--status', 'true'],
];

/** Lines plainFlags must leave to meow (each would exit, or has a rule of meow's to follow). */
const LEFT_TO_MEOW: string[][] = [
	['--help'],
	['--json', '--help'],
	['-h'],
	['--nope'],
	['--json', '--json'],
	['--env', 'a', '--env', 'b'],
	['--no-json'],
	['--json=false'],
	['--env'],
	['--env='],
	['--env', '--json'],
	['--limit', 'abc'],
	['--limit', '-1'],
	['--limit', '1.5'],
	['--limit', '010'],
	['--planHash', 'x'],
	['--', 'x'],
	[''],
];

describe('plainFlags', () => {
	for (const [name, spec] of Object.entries(SPECS)) {
		it(`parses ${name}'s plain lines as meow does`, () => {
			for (const line of LINES) {
				const plain = plainFlags(line, spec);
				const known = line.every(arg => !arg.startsWith('--') || Object.keys(spec).some(key => arg.replace(/^--|=.*$/g, '') === key.replace(/[A-Z]/g, c => `-${c.toLowerCase()}`)));
				if (!known) {
					assert.equal(plain, undefined, line.join(' '));
					continue;
				}

				assert.notEqual(plain, undefined, line.join(' '));
				assert.deepEqual(plain, viaMeow(line, spec), `${name}: ${line.join(' ')}`);
			}
		});
	}

	it('leaves anything unusual to meow', () => {
		for (const line of LEFT_TO_MEOW) {
			assert.equal(plainFlags(line, SPECS['runs list']!), undefined, line.join(' '));
		}
	});

	it('leaves flags with options beyond type and default to meow', () => {
		assert.equal(plainFlags([], {...COMMON_FLAGS, corsOrigin: {type: 'string', isMultiple: true}}), undefined);
		assert.equal(plainFlags([], {...COMMON_FLAGS, level: {type: 'string', choices: ['a', 'b']}}), undefined);
		assert.equal(plainFlags([], {...COMMON_FLAGS, verbose: {type: 'boolean', shortFlag: 'v'}}), undefined);
	});
});
