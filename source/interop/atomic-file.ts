import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {PRIVATE_FILE_MODE} from '../store/private-files.js';

/**
 * A file that appears whole or not at all: written to a hidden temp file
 * beside it, flushed to disk, then renamed over the target (rename is atomic
 * within a folder). A crash leaves at most a stray `.<name>.*.tmp`, never a
 * half-written file under the real name, so readers (ingest of an artifact
 * folder, a spreadsheet opening an export) never see a truncated document.
 */
export class AtomicFile {
	readonly file: string;
	private readonly temp: string;
	private fd: number | undefined;

	constructor(file: string) {
		this.file = file;
		this.temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`);
		this.fd = fs.openSync(this.temp, 'wx', PRIVATE_FILE_MODE);
		try {
			// Only its owner reads what tracedeck writes: runs carry what their steps printed.
			fs.fchmodSync(this.fd, PRIVATE_FILE_MODE);
		} catch (error) {
			this.abort();
			throw error;
		}
	}

	write(data: string | Uint8Array): void {
		if (this.fd === undefined) {
			throw new Error(`${this.file}: write after commit or abort`);
		}

		fs.writeSync(this.fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
	}

	/** Flush and move into place. */
	commit(): void {
		if (this.fd === undefined) {
			throw new Error(`${this.file}: already committed or aborted`);
		}

		try {
			fs.fsyncSync(this.fd);
			fs.closeSync(this.fd);
			this.fd = undefined;
			fs.renameSync(this.temp, this.file);
		} catch (error) {
			this.abort();
			throw error;
		}
	}

	/** Drop the temp file; the target is left as it was. Safe to call more than once. */
	abort(): void {
		if (this.fd !== undefined) {
			try {
				fs.closeSync(this.fd);
			} catch {
				// Already closed by a failed commit: nothing left to release.
			}

			this.fd = undefined;
		}

		fs.rmSync(this.temp, {force: true});
	}
}

/** Write a whole file atomically. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
	const out = new AtomicFile(file);
	try {
		out.write(data);
	} catch (error) {
		out.abort();
		throw error;
	}

	out.commit();
}
