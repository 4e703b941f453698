function pad(value: number): string {
	return String(value).padStart(2, '0');
}

/**
 * A run id in the shape on-call engineers know: `run-<yyyyMMdd-HHmmss>-<shortsha>`
 * (UTC), or `run-<yyyyMMdd-HHmmss>` without a git sha.
 */
export function formatRunId(at: Date, shortSha?: string): string {
	const date = `${at.getUTCFullYear()}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())}`;
	const time = `${pad(at.getUTCHours())}${pad(at.getUTCMinutes())}${pad(at.getUTCSeconds())}`;
	const sha = shortSha
		?.trim()
		.slice(0, 12)
		.replace(/[^0-9a-zA-Z]/g, '');
	return sha ? `run-${date}-${time}-${sha.toLowerCase()}` : `run-${date}-${time}`;
}
