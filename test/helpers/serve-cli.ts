import type {ChildProcessWithoutNullStreams} from 'node:child_process';
import {once} from 'node:events';
import type {CliEnvOptions} from './cli-env.js';
import {spawnSourceCli} from './source-cli.js';

export interface Served {
	child: ChildProcessWithoutNullStreams;
	/** The OTLP/HTTP base URL serve printed. */
	httpUrl: string;
	/** host:port of OTLP/gRPC, undefined when it is off. */
	grpcAddress: string | undefined;
	/** All of serve's stderr so far (collected until it exits: leaving a `for await` would close the pipe). */
	stderr: () => string;
	/** SIGTERM, as a supervisor would, and the exit code once it has exited (at once if it already had). */
	stop(): Promise<number | null>;
}

/**
 * `tracedeck serve --port 0 <args>` (or the --port given) from source, once it has said where it
 * listens (both lines: HTTP, then gRPC or "off"). gRPC is off
 * (`--grpc-port 0`) unless `args` give a --grpc-port: the default 4317 would
 * meet other tests and collectors on this machine.
 */
export async function startServe(args: readonly string[] = [], options: CliEnvOptions = {}): Promise<Served> {
	const grpc = args.includes('--grpc-port') ? [] : ['--grpc-port', '0'];
	// A test that restarts serve where it was gives the --port.
	const http = args.includes('--port') ? [] : ['--port', '0'];
	const child = spawnSourceCli(['serve', ...http, ...grpc, ...args], options);
	let text = '';
	const listening = new Promise<[string, string | undefined]>((resolve, reject) => {
		child.stderr.on('data', chunk => {
			text += String(chunk);
			const httpUrl = /listening on (http:\/\/\S+)/.exec(text)?.[1];
			const grpcAddress = /OTLP\/gRPC listening on (\S+)/.exec(text)?.[1];
			if (httpUrl && (grpcAddress || /OTLP\/gRPC off/.test(text))) {
				resolve([httpUrl, grpcAddress]);
			}
		});
		child.once('exit', () => reject(new Error(`serve exited before listening:\n${text}`)));
	});
	try {
		const [httpUrl, grpcAddress] = await listening;
		return {
			child,
			httpUrl,
			grpcAddress,
			stderr: () => text,
			async stop() {
				if (child.exitCode === null && child.signalCode === null) {
					const exited = once(child, 'exit');
					child.kill('SIGTERM');
					await exited;
				}

				return child.exitCode;
			},
		};
	} catch (error) {
		child.kill('SIGKILL');
		throw error;
	}
}
