import assert from 'node:assert/strict';
import {test} from 'node:test';
import {isDamagedDatabase, StoreError} from '../../source/core/errors.js';
import {knownFailure} from '../../source/commands/known-failure.js';
import {damagedStoreError} from '../../source/store/open-database.js';

const sqliteError = (code: string): Error => Object.assign(new Error(`sqlite said ${code}`), {code});

test("one rule for a damaged database: the store's one-line error and the CLI's last resort agree on every code", () => {
	for (const code of ['SQLITE_CORRUPT', 'SQLITE_CORRUPT_INDEX', 'SQLITE_CORRUPT_VTAB', 'SQLITE_NOTADB']) {
		assert.ok(isDamagedDatabase(sqliteError(code)), code);
		assert.ok(damagedStoreError('runs.db', sqliteError(code)) instanceof StoreError, code);
		assert.equal(knownFailure(sqliteError(code))?.exitCode, 4, code);
	}

	for (const code of ['SQLITE_BUSY', 'SQLITE_CONSTRAINT', 'SQLITE_ERROR']) {
		assert.ok(!isDamagedDatabase(sqliteError(code)), code);
		assert.equal(knownFailure(sqliteError(code)), undefined, code);
	}

	assert.ok(!isDamagedDatabase(null));
	assert.ok(!isDamagedDatabase({code: 7}));
});
