import {spawn, type ChildProcess} from 'node:child_process';
import net from 'node:net';
import type {TestContext} from 'node:test';

async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const {port} = server.address() as net.AddressInfo;
			server.close(() => resolve(port));
		});
	});
}

async function waitForPort(port: number, timeoutMs: number): Promise<boolean> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		const open = await new Promise<boolean>(resolve => {
			const socket = net.connect(port, '127.0.0.1');
			socket.once('connect', () => {
				socket.destroy();
				resolve(true);
			});
			socket.once('error', () => resolve(false));
		});
		if (open) {
			return true;
		}

		await new Promise(resolve => {
			setTimeout(resolve, 50);
		});
	}

	return false;
}

/**
 * A Redis for the test: REDIS_URL when set, else our own throwaway
 * `redis-server` (no persistence) on a free port, stopped after the test.
 * Undefined when neither is available.
 */
export async function testRedisUrl(t: TestContext): Promise<string | undefined> {
	const given = process.env['REDIS_URL'];
	if (given) {
		return given;
	}

	const port = await freePort();
	let server: ChildProcess;
	try {
		server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {stdio: 'ignore'});
	} catch {
		return undefined;
	}

	const failed = new Promise<boolean>(resolve => {
		server.once('error', () => resolve(false));
	});
	t.after(() => {
		server.kill('SIGTERM');
	});
	const up = await Promise.race([waitForPort(port, 5000), failed]);
	return up ? `redis://127.0.0.1:${port}` : undefined;
}
