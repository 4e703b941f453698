/**
 * An error the user can act on: one line that says what is wrong and what to
 * do. cli.ts prints `message` (no stack) and exits with `exitCode`.
 */
export class TracedeckError extends Error {
	readonly exitCode: number;

	constructor(message: string, exitCode = 1) {
		super(message);
		this.name = 'TracedeckError';
		this.exitCode = exitCode;
	}
}

/** Bad input from the user: a flag, an argument, a file. Exit code 2, like a usage error. */
export class InputError extends TracedeckError {
	constructor(message: string) {
		super(message, 2);
		this.name = 'InputError';
	}
}

/** The thing asked for does not exist (unknown run id, missing file). Exit code 3. */
export class NotFoundError extends TracedeckError {
	constructor(message: string) {
		super(message, 3);
		this.name = 'NotFoundError';
	}
}

/** The store cannot be used as it is (corrupt, foreign or newer database). Exit code 4. */
export class StoreError extends TracedeckError {
	constructor(message: string) {
		super(message, 4);
		this.name = 'StoreError';
	}
}
