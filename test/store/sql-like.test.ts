import assert from 'node:assert/strict';
import {test} from 'node:test';
import Database from 'better-sqlite3';
import {escapeLike, LIKE_ESCAPE} from '../../source/store/sql-like.js';

test('an escaped LIKE pattern matches its text literally: %, _ and backslash are no wildcards', () => {
	const db = new Database(':memory:');
	try {
		const contains = db.prepare(`SELECT ? LIKE ? ${LIKE_ESCAPE}`).pluck();
		const like = (text: string, needle: string): boolean => contains.get(text, `%${escapeLike(needle)}%`) === 1;
		assert.ok(like('100% done', '100%'));
		assert.ok(!like('1000 done', '100%'));
		assert.ok(like('a_b', 'a_b'));
		assert.ok(!like('axb', 'a_b'));
		assert.ok(like('C:\\temp', 'C:\\t'));
		assert.ok(!like('C:temp', 'C:\\t'));
	} finally {
		db.close();
	}
});
