import assert from 'node:assert/strict';
import {test} from 'node:test';
import Database from 'better-sqlite3';
import type {Span} from '../../source/core/span.js';
import {isStep} from '../../source/core/step-kind.js';
import {isStepSql} from '../../source/store/step-kind-sql.js';

test("the store's SQL and core agree on which span kinds are steps", () => {
	const db = new Database(':memory:');
	try {
		const kinds = ['stage', 'step', 'job', 'task', 'workflow', 'saga', 'ai', 'tool', '', 'Step', "step'"];
		const matches = db.prepare(`SELECT ? AS kind WHERE ${isStepSql('kind')}`).pluck();
		for (const kind of kinds) {
			assert.equal(matches.get(kind) !== undefined, isStep({kind} as Span), kind);
		}
	} finally {
		db.close();
	}
});
