import {STEP_KINDS} from '../core/step-kind.js';

// The kinds are tracedeck's own words, never input: written into the SQL as they are.
const STEP_KIND_LIST = [...STEP_KINDS].map(kind => `'${kind.replaceAll("'", "''")}'`).join(', ');

/** SQL that is true for a span row that is a step (core/step-kind.ts `isStep`); `kind` names the column, e.g. "s.kind". */
export function isStepSql(kind: string): string {
	return `${kind} IN (${STEP_KIND_LIST})`;
}
