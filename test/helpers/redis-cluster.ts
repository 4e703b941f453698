import {spawn, spawnSync, type ChildProcess} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {after, before} from 'node:test';
import {freePort, waitForPing} from './redis-server.js';
import {tempHome} from './temp-home.js';

/**
 * A real 3-node Redis Cluster for tests (no replicas): three redis-servers
 * with cluster mode on, free ports, one nodes.conf each in a temp dir, joined
 * by `redis-cli --cluster create`. A node can be killed (SIGKILL, as a crash)
 * and restarted on the same port with the same nodes.conf: it rejoins owning
 * the same slots, with no failover (there is no replica to promote).
 */
export interface TestCluster {
	/** The node URLs, comma-separated: what TRACEDECK_REDIS_URL holds for a cluster. */
	url: string;
	ports: readonly number[];
	/** Which port serves this key's slot now (CLUSTER KEYSLOT and CLUSTER NODES). */
	portOfKey(key: string): number;
	kill(port: number): Promise<void>;
	/** Start the node again and wait until the cluster reports cluster_state:ok. */
	restart(port: number): Promise<void>;
	stop(): Promise<void>;
}

function cli(port: number, ...args: string[]): string {
	const result = spawnSync('redis-cli', ['-p', String(port), ...args], {encoding: 'utf8', timeout: 10_000});
	if (result.status !== 0) {
		throw new Error(`redis-cli -p ${port} ${args.join(' ')} failed: ${result.stderr || result.stdout}`);
	}

	return result.stdout;
}

async function waitForClusterOk(ports: readonly number[], timeoutMs = 15_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		// Every node ok, and agreeing on who owns which slot: a stale view answers MOVED, and a redirected write lands after newer ones.
		if (ports.every(port => /cluster_state:ok/.test(cli(port, 'cluster', 'info'))) && spawnSync('redis-cli', ['--cluster', 'check', `127.0.0.1:${ports[0]}`], {encoding: 'utf8', timeout: 10_000}).stdout.includes('[OK] All nodes agree about slots configuration')) {
			return;
		}

		if (Date.now() > deadline) {
			throw new Error(`the test cluster on ports ${ports.join(', ')} did not reach cluster_state:ok within ${timeoutMs} ms`);
		}

		await new Promise(resolve => setTimeout(resolve, 50));
	}
}

export async function startTestCluster(): Promise<TestCluster> {
	const dir = tempHome('tracedeck-cluster-');
	const ports: number[] = [];
	while (ports.length < 3) {
		const port = await freePort();
		if (!ports.includes(port)) {
			ports.push(port);
		}
	}

	const children = new Map<number, ChildProcess>();
	const start = async (port: number) => {
		const child = spawn(
			'redis-server',
			// Long enough that a short kill leaves the cluster ok (its slots alone fail), short enough that a long one is noticed.
			['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', path.join(dir, `nodes-${port}.conf`), '--cluster-node-timeout', '5000', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', '--loglevel', 'warning'],
			{stdio: 'ignore'},
		);
		children.set(port, child);
		await waitForPing(port, child);
	};

	const kill = async (port: number) => {
		const child = children.get(port);
		children.delete(port);
		if (!child || child.exitCode !== null || child.signalCode !== null) {
			return;
		}

		const exited = new Promise(resolve => child.once('exit', resolve));
		child.kill('SIGKILL');
		await exited;
	};

	const stop = async () => {
		await Promise.all(ports.map(kill));
		fs.rmSync(dir, {recursive: true, force: true});
	};

	try {
		await Promise.all(ports.map(start));
		cli(ports[0]!, '--cluster', 'create', ...ports.map(port => `127.0.0.1:${port}`), '--cluster-replicas', '0', '--cluster-yes');
		await waitForClusterOk(ports);
	} catch (error) {
		await stop();
		throw error;
	}

	return {
		url: ports.map(port => `redis://127.0.0.1:${port}`).join(','),
		ports,
		portOfKey(key) {
			const slot = Number(cli(ports[0]!, 'cluster', 'keyslot', key).trim());
			const live = ports.find(port => children.has(port))!;
			// CLUSTER NODES: "<id> <host>:<port>@<bus> <flags> <master> <ping> <pong> <epoch> <state> <slot ranges...>".
			for (const line of cli(live, 'cluster', 'nodes').trim().split('\n')) {
				const fields = line.split(' ');
				const port = Number(/:(\d+)@/.exec(fields[1] ?? '')?.[1]);
				for (const range of fields.slice(8)) {
					const [from, to = from] = range.split('-').map(Number);
					if (from !== undefined && to !== undefined && slot >= from && slot <= to) {
						return port;
					}
				}
			}

			throw new Error(`no node of the test cluster serves slot ${slot}`);
		},
		kill,
		async restart(port) {
			await start(port);
			await waitForClusterOk(ports);
		},
		stop,
	};
}

/** Is redis-server there to start a cluster with? Tests skip with a message when not. */
export function clusterUnavailable(): string | undefined {
	const result = spawnSync('redis-server', ['--version'], {encoding: 'utf8'});
	return result.status === 0 ? undefined : 'redis-server is not installed: the Redis Cluster tests need it';
}

/** One cluster for the whole test file: started in before(), stopped in after(). Use inside tests. */
export function testClusterForFile(): () => TestCluster {
	let started: TestCluster | undefined;
	before(async () => {
		if (clusterUnavailable() === undefined) {
			started = await startTestCluster();
		}
	});
	after(async () => {
		await started?.stop();
	});
	return () => {
		if (started === undefined) {
			throw new Error('the test cluster starts in before(): use it inside a test');
		}

		return started;
	};
}
