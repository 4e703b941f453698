/** Where live-stream warnings go: stderr by default, a capture in tests. */
export interface LiveLogger {
	warn(message: string): void;
}

export const STDERR_LOGGER: LiveLogger = {
	warn(message) {
		process.stderr.write(`tracedeck: ${message}\n`);
	},
};

/** A Redis URL fit for a log line: the password never leaves the process. */
export function redactRedisUrl(url: string): string {
	try {
		const parsed = new URL(url);
		if (parsed.password !== '') {
			parsed.password = '***';
		}

		return parsed.toString();
	} catch {
		return 'the configured Redis URL';
	}
}
