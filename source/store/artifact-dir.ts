import {createHash} from 'node:crypto';
import path from 'node:path';
import type {Run} from '../core/run.js';

type RunFields = Pick<Run, 'env' | 'target' | 'plan_hash' | 'run_id'>;

/** Stands for a field the run does not have (null or empty). */
const NONE = '_';
/** Longest folder name: well under the 255 bytes filesystems allow, with room for the hash. */
const MAX_SEGMENT = 128;
const HASH_CHARS = 64;
/** Marks a shortened name; the escaping never emits it, so a shortened name is never an escaped one. */
const SHORTENED = '~';

/**
 * Characters kept as they are. Upper-case letters are escaped too: a
 * case-insensitive disk (macOS, Windows) would fold `Prod` and `prod` into one
 * folder.
 */
const KEPT = /^[a-z0-9._-]$/;

/** UTF-8 bytes of a code point, lone surrogates included (WTF-8), so two different strings never give the same bytes. */
function utf8Bytes(codePoint: number): number[] {
	if (codePoint < 0x80) {
		return [codePoint];
	}

	if (codePoint < 0x800) {
		return [0xc0 | (codePoint >> 6), 0x80 | (codePoint & 0x3f)];
	}

	if (codePoint < 0x10000) {
		return [0xe0 | (codePoint >> 12), 0x80 | ((codePoint >> 6) & 0x3f), 0x80 | (codePoint & 0x3f)];
	}

	return [0xf0 | (codePoint >> 18), 0x80 | ((codePoint >> 12) & 0x3f), 0x80 | ((codePoint >> 6) & 0x3f), 0x80 | (codePoint & 0x3f)];
}

function escapeByte(byte: number): string {
	return `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
}

/**
 * A folder name for a run field, one to one: every character outside
 * [a-z0-9._-] becomes %XX per UTF-8 byte (so "%" itself is %25, "/" is %2F),
 * a leading "." is %2E (never "." or ".."), and "_" alone is %5F because "_"
 * stands for a missing field. Names longer than 128 characters keep their
 * first 63 and end in "~" and the sha256 of the whole field: "~" is never
 * escaped output, so a shortened name cannot equal an unshortened one.
 */
export function artifactSegment(value: string | null | undefined): string {
	if (value === null || value === undefined || value === '') {
		return NONE;
	}

	if (value === NONE) {
		return escapeByte(NONE.charCodeAt(0));
	}

	const bytes: number[] = [];
	let escaped = '';
	for (const char of value) {
		const codePoint = char.codePointAt(0)!;
		const own = utf8Bytes(codePoint);
		bytes.push(...own);
		escaped += KEPT.test(char) && !(char === '.' && escaped === '') ? char : own.map(byte => escapeByte(byte)).join('');
	}

	if (escaped.length <= MAX_SEGMENT) {
		return escaped;
	}

	let keep = MAX_SEGMENT - HASH_CHARS - SHORTENED.length;
	// Never cut an escape in half: "%4" would read as the start of another one.
	const lastEscape = escaped.lastIndexOf('%', keep - 1);
	if (lastEscape !== -1 && lastEscape > keep - 3) {
		keep = lastEscape;
	}

	return `${escaped.slice(0, keep)}${SHORTENED}${createHash('sha256').update(Buffer.from(bytes)).digest('hex')}`;
}

/**
 * The folder name older tracedecks gave a field: anything outside
 * [A-Za-z0-9._-] became "_" and names were cut at 128 characters, so "a/b" and
 * "a_b" shared a folder. Only for finding what they wrote.
 */
export function legacyArtifactSegment(value: string | null | undefined): string {
	const cleaned = (value ?? '').replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
	return cleaned === '' ? NONE : cleaned.slice(0, MAX_SEGMENT);
}

/** Where a run's artifacts are written: `<home>/artifacts/<env>/<target>/<plan-hash>/<run-id>/`, each named by artifactSegment. */
export function runArtifactDir(home: string, run: RunFields): string {
	return path.join(home, 'artifacts', artifactSegment(run.env), artifactSegment(run.target), artifactSegment(run.plan_hash), artifactSegment(run.run_id));
}

/** Where an older tracedeck wrote them (see legacyArtifactSegment); the same as runArtifactDir for plain names. */
export function legacyRunArtifactDir(home: string, run: RunFields): string {
	return path.join(home, 'artifacts', legacyArtifactSegment(run.env), legacyArtifactSegment(run.target), legacyArtifactSegment(run.plan_hash), legacyArtifactSegment(run.run_id));
}
