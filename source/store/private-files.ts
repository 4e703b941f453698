import fs from 'node:fs';
import path from 'node:path';

/**
 * A tracedeck home holds what runs printed and carried: folders 0700 and
 * files 0600, whatever the umask (under the usual 022 they would be readable
 * by every local user). Modes are set explicitly after creation, since the
 * umask only ever removes bits from the mode asked for.
 */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/**
 * `mkdir -p` whose new folders are 0700. Folders that were there already keep
 * their mode: a home the user made, or shares with a group, is theirs to set.
 */
export function makePrivateDir(dir: string): void {
	const target = path.resolve(dir);
	const first = fs.mkdirSync(target, {recursive: true, mode: PRIVATE_DIR_MODE});
	if (first === undefined) {
		return;
	}

	// From the top-most folder created down to the target.
	for (let current = target; ; current = path.dirname(current)) {
		fs.chmodSync(current, PRIVATE_DIR_MODE);
		if (current === first || path.dirname(current) === current) {
			break;
		}
	}
}

/**
 * Create `file` empty with mode 0600 unless it exists. SQLite gives a
 * database's -wal and -shm files the mode of the database, so creating
 * runs.db this way before SQLite opens it keeps all three private. Any
 * failure is left for the caller's own open to report.
 */
export function createPrivateFile(file: string): void {
	let fd: number | undefined;
	try {
		fd = fs.openSync(file, 'wx', PRIVATE_FILE_MODE);
		fs.fchmodSync(fd, PRIVATE_FILE_MODE);
	} catch {
		// There already, or not creatable: the open that follows says what is wrong.
	} finally {
		if (fd !== undefined) {
			fs.closeSync(fd);
		}
	}
}
