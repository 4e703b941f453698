import {withoutPassword} from '../core/url-password.js';
/** Where live-stream warnings go: stderr by default, a capture in tests. */
export interface LiveLogger {
	warn(message: string): void;
}

export const STDERR_LOGGER: LiveLogger = {
	warn(message) {
		process.stderr.write(`tracedeck: ${message}\n`);
	},
};

/** A Redis URL, or a cluster's comma-separated node URLs, fit for a log line: the password never leaves the process. */
export function redactRedisUrl(url: string): string {
	return url.includes(',')
		? url
				.split(',')
				.filter(node => node.trim() !== '')
				.map(node => redactOne(node.trim()))
				.join(',')
		: redactOne(url);
}

function redactOne(url: string): string {
	return withoutPassword(url, 'the configured Redis URL');
}
