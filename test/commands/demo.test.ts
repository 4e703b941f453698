import assert from 'node:assert/strict';
import {createHash} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import {deploySuccess} from '../../fixtures/canonical.js';
import {DEMO_MARKER} from '../../source/commands/demo-home.js';
import {RunIndex} from '../../source/store/run-index.js';
import {runCli} from '../helpers/run-cli.js';
import {tempHome} from '../helpers/temp-home.js';

// spawnSync gives the CLI no terminal: this is how demo runs in a pipe, in CI or under `ssh host cmd`.

/** A real home with one real run in it, as an engineer's ~/.tracedeck would be. */
function foreignHome(): {home: string; runId: string; digest: () => string} {
	const home = tempHome();
	const events = deploySuccess();
	const index = RunIndex.open(home);
	index.appendEvents(events);
	index.close();
	const runId = String(events[0]!.data!['run_id']);
	const digest = () =>
		createHash('sha256')
			.update(fs.readFileSync(path.join(home, 'runs.db')))
			.digest('hex');
	return {home, runId, digest};
}

function runIds(home: string): string[] {
	const listed = runCli(['runs', 'list', '--json', '--limit', '1000'], {home});
	assert.equal(listed.code, 0, listed.stderr);
	return (JSON.parse(listed.stdout) as Array<{run_id: string}>).map(run => run.run_id).sort();
}

function assertRefused(result: {code: number; stdout: string; stderr: string}, why: RegExp): void {
	assert.equal(result.code, 2, result.stderr);
	assert.equal(result.stdout, '');
	assert.equal(result.stderr.split('\n').filter(Boolean).length, 1, `one line: ${result.stderr}`);
	assert.match(result.stderr, why);
	assert.match(result.stderr, /pass --home with a new or empty folder/);
}

describe('tracedeck demo: which home it fills', () => {
	it('fills the TRACEDECK_HOME it is given (a new folder), marks it as its own and prints its path', () => {
		const home = path.join(tempHome(), 'new-demo-home');
		const result = runCli(['demo', '--no-console', '--runs', '12'], {home});
		assert.equal(result.code, 0, result.stderr);
		assert.equal(result.stdout, `${home}\n`);
		assert.equal(result.stderr, '');
		assert.ok(fs.existsSync(path.join(home, DEMO_MARKER)));
		assert.equal(runIds(home).length, 12);
	});

	it('without a terminal it fills the home, prints its path, says on stderr why there is no console, and exits 0', () => {
		const home = tempHome();
		const result = runCli(['demo', '--runs', '12'], {home});
		assert.equal(result.code, 0, result.stderr);
		assert.equal(result.stdout, `${home}\n`);
		assert.match(result.stderr, /^tracedeck: no terminal, so no console and no live run; the demo home is filled: open it with tracedeck --home .+\n$/);
		assert.equal(runIds(home).length, 12);
		const json = runCli(['demo', '--runs', '5', '--json'], {home});
		assert.equal(json.code, 0, json.stderr);
		assert.deepEqual(JSON.parse(json.stdout), {home, runs: 5});
	});

	it('--home wins over TRACEDECK_HOME, which it leaves alone', () => {
		const foreign = foreignHome();
		const before = foreign.digest();
		const home = tempHome();
		const result = runCli(['demo', '--no-console', '--runs', '12', '--home', home], {home: foreign.home});
		assert.equal(result.code, 0, result.stderr);
		assert.equal(result.stdout, `${home}\n`);
		assert.equal(foreign.digest(), before);
		assert.ok(!fs.existsSync(path.join(foreign.home, DEMO_MARKER)));
	});

	it('with neither, fills ~/.tracedeck-demo, never ~/.tracedeck', () => {
		const fakeHome = tempHome();
		const result = runCli(['demo', '--no-console', '--runs', '12'], {env: {HOME: fakeHome, TRACEDECK_HOME: ''}});
		assert.equal(result.code, 0, result.stderr);
		assert.equal(result.stdout, `${path.join(fakeHome, '.tracedeck-demo')}\n`);
		assert.ok(!fs.existsSync(path.join(fakeHome, '.tracedeck')));
	});

	it('refills a home it filled: the runs are replaced, not added to', () => {
		const home = tempHome();
		assert.equal(runCli(['demo', '--no-console', '--runs', '12', '--seed', '1'], {home}).code, 0);
		const first = runIds(home);
		const again = runCli(['demo', '--no-console', '--runs', '12', '--seed', '2'], {home});
		assert.equal(again.code, 0, again.stderr);
		const second = runIds(home);
		assert.equal(second.length, 12);
		assert.deepEqual(
			second.filter(id => first.includes(id)),
			[],
			'none of the first fill is left',
		);
	});

	it('refuses a home with a runs.db it did not create: exit 2, one line naming --home, the runs.db untouched', () => {
		const foreign = foreignHome();
		const before = foreign.digest();
		const byEnv = runCli(['demo', '--no-console'], {home: foreign.home});
		assertRefused(byEnv, /^tracedeck: demo will not fill TRACEDECK_HOME \(.+\): it holds a runs\.db that demo did not create/);
		const byFlag = runCli(['demo', '--home', foreign.home]);
		assertRefused(byFlag, /^tracedeck: demo will not fill --home .+: it holds a runs\.db that demo did not create/);
		assert.equal(foreign.digest(), before, 'not a byte changed');
		assert.deepEqual(runIds(foreign.home), [foreign.runId]);
		assert.ok(!fs.existsSync(path.join(foreign.home, DEMO_MARKER)));
	});

	it('refuses its own home once a runs.db from elsewhere is put in it', () => {
		const home = tempHome();
		assert.equal(runCli(['demo', '--no-console', '--runs', '12'], {home}).code, 0);
		const foreign = foreignHome();
		for (const name of ['runs.db', 'runs.db-wal', 'runs.db-shm']) {
			fs.rmSync(path.join(home, name), {force: true});
		}

		fs.copyFileSync(path.join(foreign.home, 'runs.db'), path.join(home, 'runs.db'));
		const result = runCli(['demo', '--no-console'], {home});
		assertRefused(result, /its runs\.db is not the one demo filled there/);
		assert.deepEqual(runIds(home), [foreign.runId]);
	});

	it('refuses a folder that is not empty and a path that is a file, creating nothing', () => {
		const folder = tempHome();
		fs.writeFileSync(path.join(folder, 'notes.txt'), 'mine\n');
		assertRefused(runCli(['demo', '--no-console'], {home: folder}), /it is not empty and demo did not create it/);
		assert.deepEqual(fs.readdirSync(folder), ['notes.txt']);
		const file = path.join(folder, 'notes.txt');
		assertRefused(runCli(['demo', '--no-console'], {home: file}), /it is not a folder/);
	});

	it('the default home gets its own advice: an older demo left it unmarked', () => {
		const fakeHome = tempHome();
		const demoHome = path.join(fakeHome, '.tracedeck-demo');
		const index = RunIndex.open(demoHome);
		index.appendEvents(deploySuccess());
		index.close();
		const result = runCli(['demo', '--no-console'], {env: {HOME: fakeHome, TRACEDECK_HOME: ''}});
		assert.equal(result.code, 2);
		assert.match(result.stderr, /remove its runs\.db\* yourself if it is only old demo data, or pass --home with a new or empty folder/);
		assert.ok(fs.existsSync(path.join(demoHome, 'runs.db')));
	});

	it('rejects a bad --runs or --seed with exit 2 before touching the home', () => {
		const home = path.join(tempHome(), 'never-made');
		for (const args of [
			['--runs', '0'],
			['--runs', '2.5'],
			['--seed', '1.5'],
			['--seed', 'abc'],
		]) {
			const result = runCli(['demo', '--no-console', ...args], {home});
			assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
			assert.equal(result.stderr.split('\n').filter(Boolean).length, 1);
		}

		assert.ok(!fs.existsSync(home));
	});
});
