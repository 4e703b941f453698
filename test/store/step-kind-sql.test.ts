import assert from 'node:assert/strict';
import {test} from 'node:test';
import Database from 'better-sqlite3';
import type {Span} from '../../source/core/span.js';
import {isCompensation, isDecision, isStep} from '../../source/core/step-kind.js';
import {isCompensationSql, isDecisionSql, isStepSql} from '../../source/store/step-kind-sql.js';

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

test("the store's SQL and core agree on which spans are compensations and decisions", () => {
	const db = new Database(':memory:');
	try {
		db.exec('CREATE TABLE spans (kind TEXT, body TEXT)');
		const spans: Array<Pick<Span, 'kind' | 'last_event_type' | 'attributes'>> = [
			{kind: 'saga', last_event_type: 'saga:compensated', attributes: {original_span_id: 'charge'}},
			// A saga span that undoes nothing (the saga itself) is no compensation: analytics counted it as one.
			{kind: 'saga', last_event_type: 'saga:completed', attributes: {}},
			{kind: 'saga', last_event_type: 'saga:compensating', attributes: {original_span_id: 42}},
			{kind: 'ai', last_event_type: 'ai:decision', attributes: {decision: 'B'}},
			// A decision recorded on a step span is a decision too: analytics asked for kind 'ai' as well.
			{kind: 'step', last_event_type: 'ai:decision', attributes: {decision: 'A'}},
			{kind: 'ai', last_event_type: 'ai:completed', attributes: {}},
		];
		const compensation = db.prepare(`SELECT 1 FROM spans s WHERE rowid = ? AND ${isCompensationSql('s')}`).pluck();
		const decision = db.prepare(`SELECT 1 FROM spans s WHERE rowid = ? AND ${isDecisionSql('s')}`).pluck();
		const insert = db.prepare('INSERT INTO spans (kind, body) VALUES (?, ?)');
		for (const span of spans) {
			const row = Number(insert.run(span.kind, JSON.stringify(span)).lastInsertRowid);
			assert.equal(compensation.get(row) !== undefined, isCompensation(span as Span), JSON.stringify(span));
			assert.equal(decision.get(row) !== undefined, isDecision(span as Span), JSON.stringify(span));
		}
	} finally {
		db.close();
	}
});
