/**
 * A connection URL with its password replaced by "***", for messages and
 * logs (Redis and PostgreSQL URLs alike); `unparsable` when it is not a URL
 * (then nothing of it is shown: it may be all secret).
 */
export function withoutPassword(url: string, unparsable: string): string {
	try {
		const parsed = new URL(url);
		if (parsed.password !== '') {
			parsed.password = '***';
		}

		return parsed.toString();
	} catch {
		return unparsable;
	}
}
