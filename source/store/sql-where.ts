export type SqlValue = string | number;

/** AND-ed WHERE clauses with their parameters; a clause whose value is undefined is left out. */
export class SqlWhere {
	readonly clauses: string[] = [];
	readonly params: SqlValue[] = [];

	add(clause: string, value: SqlValue | undefined): this {
		if (value !== undefined) {
			this.clauses.push(clause);
			this.params.push(value);
		}

		return this;
	}

	/** A clause with any number of parameters (an IN list, an OR of patterns), in the order they appear in it. */
	addAll(clause: string, values: readonly SqlValue[]): this {
		this.clauses.push(clause);
		this.params.push(...values);
		return this;
	}

	/** "WHERE a AND b", or "" when there is no clause. */
	toSql(): string {
		return this.clauses.length > 0 ? `WHERE ${this.clauses.join(' AND ')}` : '';
	}
}
