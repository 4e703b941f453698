import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import type {TraceEvent} from '../../source/core/trace-event.js';
import {EventSpool} from '../../source/emit/event-spool.js';
import {tempHome} from '../helpers/temp-home.js';

const event = (n: number): TraceEvent => ({trace_id: 't', span_id: 's', event_type: 'log:stdout', timestamp: '2026-01-01T00:00:00.000Z', event_id: `e${n}`, data: {line: 'x'.repeat(50)}});
const size = (n: number) => Buffer.byteLength(`${JSON.stringify(event(n))}\n`);

describe('EventSpool', () => {
	it('keeps events in order in 0600 files, and gives them back oldest first', () => {
		const home = tempHome();
		const spool = new EventSpool(home, {warn: assert.fail});
		assert.ok(spool.append([event(1), event(2)]));
		assert.ok(spool.append([event(3)]));
		const [file] = fs.readdirSync(spool.dir);
		assert.equal(fs.statSync(path.join(spool.dir, file!)).mode & 0o777, 0o600);
		assert.equal(fs.statSync(spool.dir).mode & 0o777, 0o700);
		assert.equal(spool.pendingEvents(), 3);
		const claim = spool.claimNext()!;
		assert.deepEqual(
			claim.events.map(e => e.event_id),
			['e1', 'e2', 'e3'],
		);
		// Spooled while the claim is being sent: a later file, so it comes after.
		assert.ok(spool.append([event(4)]));
		spool.release(claim, claim.events.slice(2));
		const again = spool.claimNext()!;
		assert.deepEqual(
			again.events.map(e => e.event_id),
			['e3'],
		);
		spool.release(again, []);
		assert.deepEqual(
			spool.claimNext()!.events.map(e => e.event_id),
			['e4'],
		);
	});

	it('drops what passes the byte cap, says so once, counts it, and takes events again once there is room', () => {
		const home = tempHome();
		const warnings: string[] = [];
		const spool = new EventSpool(home, {maxBytes: size(1) * 3, warn: message => warnings.push(message)});
		assert.ok(spool.append([event(1), event(2)]));
		assert.equal(spool.append([event(3), event(4)]), false);
		assert.equal(spool.append([event(5)]), true);
		assert.equal(spool.append([event(6)]), false);
		assert.equal(spool.append([event(7)]), false);
		assert.equal(spool.dropped, 4);
		assert.equal(spool.spooled, 3);
		assert.equal(warnings.length, 1);
		assert.match(warnings[0]!, /spool .* is full .*dropped/);
		const claim = spool.claimNext()!;
		spool.release(claim, []);
		assert.ok(spool.append([event(8)]));
		assert.equal(spool.pendingEvents(), 1);
	});

	it("replays an exited process's files, never a live one's, and counts every process's as pending", () => {
		const home = tempHome();
		const dir = path.join(home, 'spool');
		fs.mkdirSync(dir);
		fs.writeFileSync(path.join(dir, '000000000000001-999991-aaaaaaaa.jsonl'), `${JSON.stringify(event(1))}\n`);
		fs.writeFileSync(path.join(dir, '000000000000002-999992-bbbbbbbb.jsonl'), `${JSON.stringify(event(2))}\n{"cut short`);
		const spool = new EventSpool(home, {warn: () => {}, isAlive: pid => pid === 999992});
		assert.equal(spool.pendingEvents(), 3);
		assert.ok(spool.hasReplayable());
		const claim = spool.claimNext()!;
		assert.deepEqual(
			claim.events.map(e => e.event_id),
			['e1'],
		);
		spool.release(claim, []);
		assert.equal(spool.claimNext(), undefined);
		assert.equal(spool.hasReplayable(), false);
	});
});
