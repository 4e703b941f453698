/**
 * Human duration for tables: "350µs", "2.5ms", "850ms", "4.2s", "2m13s",
 * "1h05m", "3d4h". Spans keep microseconds (DESIGN), so below 1 ms the
 * console shows µs, and below 10 ms a tenth of a millisecond.
 */
export function formatDuration(ms: number | null | undefined): string {
	if (ms === null || ms === undefined || !Number.isFinite(ms)) {
		return '-';
	}

	const sign = ms < 0 ? '-' : '';
	const abs = Math.abs(ms);
	if (abs > 0 && Math.round(abs * 1000) < 1000) {
		return `${sign}${Math.round(abs * 1000)}µs`;
	}

	if (abs < 9.95) {
		return `${sign}${(Math.round(abs * 10) / 10).toString()}ms`;
	}

	if (abs < 999.5) {
		return `${sign}${Math.round(abs)}ms`;
	}

	if (abs < 10_000) {
		return `${sign}${(abs / 1000).toFixed(1)}s`;
	}

	const s = Math.floor(abs / 1000);
	if (s < 60) {
		return `${sign}${s}s`;
	}

	const m = Math.floor(s / 60);
	if (m < 60) {
		return `${sign}${m}m${String(s % 60).padStart(2, '0')}s`;
	}

	const h = Math.floor(m / 60);
	if (h < 24) {
		return `${sign}${h}h${String(m % 60).padStart(2, '0')}m`;
	}

	return `${sign}${Math.floor(h / 24)}d${h % 24}h`;
}

/** Parse "90s", "15m", "24h", "7d", "2w" (or plain milliseconds) into milliseconds; undefined when malformed. */
export function parseDuration(text: string): number | undefined {
	const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)?$/.exec(text.trim());
	if (!match) {
		return undefined;
	}

	const n = Number(match[1]);
	const unit = match[2] ?? 'ms';
	const factor = {ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000}[unit]!;
	return n * factor;
}
