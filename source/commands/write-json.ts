import {terminalSafeJson} from '../core/terminal-json.js';

/** One JSON document on stdout, terminal-safe (core/terminal-json.ts), so `cat`ing the output is as safe as parsing it. */
export function writeJson(value: unknown): void {
	process.stdout.write(`${terminalSafeJson(value, 2)}\n`);
}
