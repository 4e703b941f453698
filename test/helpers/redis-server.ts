import {spawn, type ChildProcess} from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import {after, before} from 'node:test';
import {tempHome} from './temp-home.js';

/**
 * A redis-server for tests: REDIS_URL when set (shared, so fault tests that
 * kill it are skipped), else our own on a free port that we can kill and
 * restart on the same port to simulate an outage.
 */
export interface TestRedis {
	url: string;
	/** False for an external REDIS_URL: kill/restart are not ours to do. */
	controllable: boolean;
	/** SIGKILL the server, as a crash would, and wait for it to exit. */
	kill(): Promise<void>;
	/** Start it again on the same port and wait until it answers PING. */
	restart(): Promise<void>;
	stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const {port} = server.address() as net.AddressInfo;
			server.close(() => resolve(port));
		});
	});
}

async function ping(port: number): Promise<boolean> {
	return new Promise(resolve => {
		const socket = net.connect(port, '127.0.0.1');
		let reply = '';
		const done = (ok: boolean) => {
			socket.destroy();
			resolve(ok);
		};

		socket.setTimeout(500, () => done(false));
		socket.on('error', () => done(false));
		socket.on('connect', () => socket.write('PING\r\n'));
		socket.on('data', chunk => {
			reply += chunk.toString();
			if (reply.includes('\r\n')) {
				done(reply.startsWith('+PONG'));
			}
		});
	});
}

export async function waitForPing(port: number, child: ChildProcess, timeoutMs = 10_000): Promise<void> {
	let spawnError: Error | undefined;
	child.once('error', error => {
		spawnError = error;
	});
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (spawnError) {
			throw new Error(`cannot start redis-server (${spawnError.message}); install it or set REDIS_URL`);
		}

		if (child.exitCode !== null) {
			throw new Error(`redis-server exited with code ${child.exitCode}`);
		}

		if (await ping(port)) {
			return;
		}

		await new Promise(resolve => setTimeout(resolve, 25));
	}

	throw new Error(`redis-server on port ${port} did not answer PING within ${timeoutMs} ms`);
}

export async function startTestRedis(): Promise<TestRedis> {
	const external = process.env['REDIS_URL'];
	if (external) {
		return {
			url: external,
			controllable: false,
			async kill() {
				throw new Error('cannot kill an external REDIS_URL');
			},
			async restart() {
				throw new Error('cannot restart an external REDIS_URL');
			},
			async stop() {},
		};
	}

	const port = await freePort();
	const dir = tempHome('tracedeck-redis-');
	let child: ChildProcess | undefined;
	const start = async () => {
		child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--loglevel', 'warning'], {
			stdio: 'ignore',
		});
		await waitForPing(port, child);
	};

	const kill = async () => {
		const current = child;
		child = undefined;
		if (!current || current.exitCode !== null || current.signalCode !== null) {
			return;
		}

		const exited = new Promise(resolve => current.once('exit', resolve));
		current.kill('SIGKILL');
		await exited;
	};

	try {
		await start();
	} catch (error) {
		await kill();
		fs.rmSync(dir, {recursive: true, force: true});
		throw error;
	}

	return {
		url: `redis://127.0.0.1:${port}`,
		controllable: true,
		kill,
		restart: start,
		async stop() {
			await kill();
			fs.rmSync(dir, {recursive: true, force: true});
		},
	};
}

/**
 * One redis-server for the whole test file: started in before(), stopped in
 * after(). Call at the top level; what it returns reaches the server once
 * before() has run, that is inside any test.
 */
export function testRedisForFile(): TestRedis {
	let started: TestRedis | undefined;
	before(async () => {
		started = await startTestRedis();
	});
	after(async () => {
		await started?.stop();
	});
	const server = (): TestRedis => {
		if (started === undefined) {
			throw new Error('the test Redis starts in before(): use it inside a test');
		}

		return started;
	};
	return {
		get url() {
			return server().url;
		},
		get controllable() {
			return server().controllable;
		},
		kill: async () => server().kill(),
		restart: async () => server().restart(),
		stop: async () => server().stop(),
	};
}
