import {InputError} from '../core/errors.js';
import {isoToMs} from '../core/iso-time.js';
import {redactRecordForStore} from '../core/redact.js';
import type {ServiceLog} from '../core/service-log.js';
import {InputOccurrences} from './event-digest.js';
import type {Db} from './open-database.js';

export interface ServiceLogsResult {
	inserted: number;
	/** Records whose identity was stored already (a re-sent export): nothing new, nothing lost. */
	duplicates: number;
}

/**
 * Writes a service's log records (those without a trace) to service_logs,
 * redacted as events are and with the same identity rule: two identical
 * records in one input are two rows, the same input again adds nothing.
 * The caller runs `insert` inside its transaction.
 */
export class ServiceLogTable {
	private readonly statement;

	constructor(db: Db) {
		this.statement = db.prepare(`INSERT OR IGNORE INTO service_logs
			(service, env, time_ms, severity_number, severity_text, body, attributes_json, resource_json, scope_json, event_name, observed_ms, identity)
			VALUES (@service, @env, @time_ms, @severity_number, @severity_text, @body, @attributes_json, @resource_json, @scope_json, @event_name, @observed_ms, @identity)`);
	}

	/** Redacted records and their identities; `commit` once they are stored, as InputOccurrences asks. */
	prepare(given: readonly ServiceLog[], input: InputOccurrences = new InputOccurrences()): {logs: ServiceLog[]; identities: string[]; commit(): void} {
		// Redacted before the identity is taken: the identity is of what is stored.
		const logs = given.map(log => redactRecordForStore(log as unknown as Record<string, unknown>) as unknown as ServiceLog);
		const numbered = input.number(
			logs.map(() => ({})),
			logs.map(log => JSON.stringify(log)),
		);
		return {logs, identities: numbered.identities, commit: () => numbered.commit()};
	}

	insert(logs: readonly ServiceLog[], identities: readonly string[]): ServiceLogsResult {
		let inserted = 0;
		for (const [i, log] of logs.entries()) {
			const time = isoToMs(log.time);
			if (!Number.isFinite(time)) {
				throw new InputError(`log record of service "${log.service}" has an invalid time "${log.time}"`);
			}

			const observed = log.observed_time === undefined ? null : isoToMs(log.observed_time);
			inserted += this.statement.run({
				service: log.service,
				env: log.env,
				time_ms: time,
				severity_number: log.severity_number,
				severity_text: log.severity_text,
				body: log.body,
				attributes_json: JSON.stringify(log.attributes),
				resource_json: JSON.stringify(log.resource),
				scope_json: log.scope === undefined ? null : JSON.stringify(log.scope),
				event_name: log.event_name ?? null,
				observed_ms: observed !== null && Number.isFinite(observed) ? observed : null,
				identity: identities[i]!,
			}).changes;
		}

		return {inserted, duplicates: logs.length - inserted};
	}
}
