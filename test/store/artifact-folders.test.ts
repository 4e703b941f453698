import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import {test} from 'node:test';
import fc from 'fast-check';
import {artifactSegment, legacyArtifactSegment} from '../../source/store/artifact-dir.js';

/*
 * Issue 14, item 3: artifact folder names are one to one. The old naming
 * turned every unsafe character into "_" and cut at 128 characters, so
 * "col/x" and "col_x", or two ids sharing their first 128 characters, shared
 * one folder.
 */

test('artifact folders (issue 14.3): col/x and col_x, and two ids with the same first 128 characters, get different names', () => {
	// The old naming gave both the same folder: the collision the issue found.
	assert.equal(legacyArtifactSegment('col/x'), legacyArtifactSegment('col_x'));
	assert.notEqual(artifactSegment('col/x'), artifactSegment('col_x'));
	const long1 = `run-${'a'.repeat(130)}-1`;
	const long2 = `run-${'a'.repeat(130)}-2`;
	assert.equal(legacyArtifactSegment(long1), legacyArtifactSegment(long2));
	assert.notEqual(artifactSegment(long1), artifactSegment(long2));
});

test('artifact folders (issue 14.3): names worked out by hand', () => {
	// Kept: a-z 0-9 . _ - ; everything else one %XX per UTF-8 byte, upper-case hex.
	assert.equal(artifactSegment('run-20261124-031500-3f2a9c1'), 'run-20261124-031500-3f2a9c1', 'plain names are unchanged (and so equal to the old name)');
	assert.equal(artifactSegment('col/x'), 'col%2Fx');
	assert.equal(artifactSegment('col_x'), 'col_x');
	assert.equal(artifactSegment('100%'), '100%25', 'the escape character is escaped');
	assert.equal(artifactSegment('Prod'), '%50rod', 'P is 0x50: upper case is escaped so case-insensitive disks cannot merge Prod and prod');
	assert.equal(artifactSegment('sha256:ab'), 'sha256%3Aab');
	assert.equal(artifactSegment('é'), '%C3%A9', 'é is U+00E9, UTF-8 C3 A9');
	assert.equal(artifactSegment('\uD800'), '%ED%A0%80', 'a lone surrogate is its WTF-8 bytes, not U+FFFD');
	assert.equal(artifactSegment('..'), '%2E.', 'a leading dot is escaped: never "." or ".."');
	assert.equal(artifactSegment('.'), '%2E');
	assert.equal(artifactSegment('a..b'), 'a..b', 'inner dots are harmless');
	assert.equal(artifactSegment('../../etc'), '%2E.%2F..%2Fetc');
	assert.equal(artifactSegment(null), '_', '"_" stands for a missing field');
	assert.equal(artifactSegment(''), '_');
	assert.equal(artifactSegment('_'), '%5F', 'so a field that is "_" itself is escaped');
	// 140 "a": longer than 128, so the first 63 characters, "~", and the sha256 of the whole (64 hex): 128 characters.
	const long = 'a'.repeat(140);
	assert.equal(artifactSegment(long), `${'a'.repeat(63)}~${crypto.createHash('sha256').update(long).digest('hex')}`);
	assert.equal(artifactSegment(long).length, 128);
	// 61 "a" then "/" (%2F at 61..63): the cut at 63 would split the escape, so the name keeps 61 characters.
	const split = `${'a'.repeat(61)}/${'b'.repeat(80)}`;
	assert.equal(artifactSegment(split).split('~')[0], 'a'.repeat(61));
	assert.equal(artifactSegment('a'.repeat(128)), 'a'.repeat(128), '128 characters still fit');
});

/** Strings over the characters that collide, escape, fold or get cut: unsafe, upper case, "%", "~", "_", ".", non-ASCII, a lone surrogate. */
const nasty = fc.string({unit: fc.constantFrom('a', 'A', 'f', 'F', '2', '_', '/', '\\', '%', '.', '~', ':', ' ', 'é', '\u0000', '\uD800', '😀'), maxLength: 160});

test('artifact folders (issue 14.3), property: different fields never share a folder name, even on a case-insensitive disk', () => {
	// A shared prefix (often past 128 characters once escaped) makes the shortened names the ones compared.
	fc.assert(
		fc.property(
			fc.oneof(
				fc.constant(''),
				nasty,
				fc.nat(200).map(n => 'x'.repeat(n)),
			),
			nasty,
			nasty,
			(prefix, tailA, tailB) => {
				const a = prefix + tailA;
				const b = prefix + tailB;
				fc.pre(a !== b && !(a === '' && b === ''));
				const sa = artifactSegment(a);
				const sb = artifactSegment(b);
				// '' is "no field": the same as a null one, never the same as any field that is there.
				if (a === '' || b === '') {
					return (a === '' ? sb : sa) !== '_';
				}

				return sa !== sb && sa.toLowerCase() !== sb.toLowerCase();
			},
		),
		{numRuns: 3000},
	);
});

test('artifact folders (issue 14.3), property: every name is one safe path segment of at most 128 characters, and decodes back to its field', () => {
	fc.assert(
		fc.property(nasty, value => {
			const segment = artifactSegment(value);
			assert.ok(segment.length >= 1 && segment.length <= 128, segment);
			assert.match(segment, /^[a-z0-9._%~A-F-]+$/);
			assert.ok(segment !== '.' && segment !== '..' && !segment.startsWith('.'));
			if (value !== '' && !segment.includes('~') && value.isWellFormed()) {
				// Percent-decoding gives the field back: the naming loses nothing, so it cannot collide.
				assert.equal(decodeURIComponent(segment), value);
			}
		}),
		{numRuns: 3000},
	);
});
