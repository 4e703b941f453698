import {InputError} from '../core/errors.js';
import {isoToMs} from '../core/iso-time.js';
import {redactRecordForStore} from '../core/redact.js';
import type {ServiceLog} from '../core/service-log.js';
import {InputOccurrences} from './event-digest.js';
import {type SqlProgram, write} from './sql-program.js';

export interface ServiceLogsResult {
	inserted: number;
	/** Records whose identity was stored already (a re-sent export): nothing new, nothing lost. */
	duplicates: number;
}

const INSERT_SERVICE_LOG = `INSERT INTO service_logs
	(service, env, time_ms, severity_number, severity_text, body, attributes_json, resource_json, scope_json, event_name, observed_ms, identity)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`;

/**
 * A service's log records (those without a trace) made ready for
 * service_logs: redacted as events are and with the same identity rule, two
 * identical records in one input are two rows, the same input again adds
 * nothing. `commit` once they are stored, as InputOccurrences asks.
 */
export function prepareServiceLogs(given: readonly ServiceLog[], input: InputOccurrences = new InputOccurrences()): {logs: ServiceLog[]; identities: string[]; commit(): void} {
	// Redacted before the identity is taken: the identity is of what is stored.
	const logs = given.map(log => redactRecordForStore(log as unknown as Record<string, unknown>) as unknown as ServiceLog);
	const numbered = input.number(
		logs.map(() => ({})),
		logs.map(log => JSON.stringify(log)),
	);
	return {logs, identities: numbered.identities, commit: () => numbered.commit()};
}

/** Store prepared records (see sql-program.ts: on either engine); a record whose identity is stored already is a duplicate. */
export function* insertServiceLogs(logs: readonly ServiceLog[], identities: readonly string[]): SqlProgram<ServiceLogsResult> {
	let inserted = 0;
	for (const [i, log] of logs.entries()) {
		const time = isoToMs(log.time);
		if (!Number.isFinite(time)) {
			throw new InputError(`log record of service "${log.service}" has an invalid time "${log.time}"`);
		}

		const observed = log.observed_time === undefined ? null : isoToMs(log.observed_time);
		inserted += yield* write(INSERT_SERVICE_LOG, [
			log.service,
			log.env,
			time,
			log.severity_number,
			log.severity_text,
			log.body,
			JSON.stringify(log.attributes),
			JSON.stringify(log.resource),
			log.scope === undefined ? null : JSON.stringify(log.scope),
			log.event_name ?? null,
			observed !== null && Number.isFinite(observed) ? observed : null,
			identities[i]!,
		]);
	}

	return {inserted, duplicates: logs.length - inserted};
}
