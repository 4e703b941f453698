import {STEP_KINDS} from '../core/step-kind.js';
import {jsonIsString, jsonText} from './sql-dialect.js';
import type {SqlDialect} from './sql-program.js';

// The kinds are tracedeck's own words, never input: written into the SQL as they are.
const STEP_KIND_LIST = [...STEP_KINDS].map(kind => `'${kind.replaceAll("'", "''")}'`).join(', ');

/** SQL that is true for a span row that is a step (core/step-kind.ts `isStep`); `kind` names the column, e.g. "s.kind". */
export function isStepSql(kind: string): string {
	return `${kind} IN (${STEP_KIND_LIST})`;
}

/** SQL that is true for a span row that is a compensation (`isCompensation`): a saga span that names the step it undoes. `span` is the row's alias. */
export function isCompensationSql(span: string, dialect: SqlDialect = 'sqlite'): string {
	return `(${span}.kind = 'saga' AND ${jsonIsString(dialect, `${span}.body`, ['attributes', 'original_span_id'])})`;
}

/** SQL that is true for a span row that is an AI decision (`isDecision`): its last event is ai:decision, whatever its kind. */
export function isDecisionSql(span: string, dialect: SqlDialect = 'sqlite'): string {
	return `${jsonText(dialect, `${span}.body`, ['last_event_type'])} = 'ai:decision'`;
}
