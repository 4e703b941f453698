/** How loud a log record is, in the three steps `runs tail --level` filters by. */
export type SeverityLevel = 'error' | 'warn' | 'info';

/** OpenTelemetry's SeverityNumber ranges (logs data model): 17-20 ERROR and 21-24 FATAL, 13-16 WARN. */
const ERROR_FROM = 17;
const WARN_FROM = 13;

// Severity texts of common logging libraries, for records that left the number unspecified (0).
const ERROR_TEXTS = new Set(['error', 'err', 'fatal', 'critical', 'crit', 'alert', 'emerg', 'emergency', 'severe', 'panic']);
const WARN_TEXTS = new Set(['warn', 'warning']);

/**
 * A record's level from its SeverityNumber; from its severity text only
 * when the number is 0 (unspecified), as the data model asks ("ERROR2" and
 * "error" are both errors).
 */
export function severityLevel(severityNumber: number, severityText: string): SeverityLevel {
	if (severityNumber > 0) {
		return severityNumber >= ERROR_FROM ? 'error' : severityNumber >= WARN_FROM ? 'warn' : 'info';
	}

	const word = severityText.trim().toLowerCase().replace(/\d+$/, '');
	return ERROR_TEXTS.has(word) ? 'error' : WARN_TEXTS.has(word) ? 'warn' : 'info';
}

const LOUDNESS: Record<SeverityLevel, number> = {info: 0, warn: 1, error: 2};

/** Whether a record of `level` passes a filter at `floor` (info: every record; warn: warnings and errors; error: errors). */
export function atLeast(level: SeverityLevel, floor: SeverityLevel): boolean {
	return LOUDNESS[level] >= LOUDNESS[floor];
}

/** OpenTelemetry's severity names, one for each four SeverityNumbers from 1. */
export const SEVERITY_NAMES = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] as const;

/** The short name of a SeverityNumber (TRACE .. FATAL, with 2-4 for the finer steps); "" for 0 or out of range. */
export function severityName(severityNumber: number): string {
	if (!Number.isInteger(severityNumber) || severityNumber < 1 || severityNumber > 24) {
		return '';
	}

	const step = (severityNumber - 1) % 4;
	return `${SEVERITY_NAMES[Math.floor((severityNumber - 1) / 4)]}${step === 0 ? '' : step + 1}`;
}
