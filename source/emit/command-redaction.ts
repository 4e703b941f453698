import {redactedMarker} from '../core/redact.js';

/**
 * A command line as it may be stored: values of secret-named options and
 * variables are redacted (`--token=abc`, `--password abc`, `API_KEY=abc`).
 * Secrets that are not named (a bare positional argument) cannot be told apart
 * and stay; don't pass those on the command line.
 */
export function redactCommand(argv: readonly string[], isSecret: (key: string) => boolean): string[] {
	const out: string[] = [];
	let redactNext = false;
	for (const arg of argv) {
		if (redactNext) {
			redactNext = false;
			if (!arg.startsWith('-')) {
				out.push(redactedMarker(arg));
				continue;
			}
		}

		const option = /^(--?[A-Za-z0-9][\w.-]*)(=)([\s\S]*)$/.exec(arg) ?? /^([A-Za-z_][A-Za-z0-9_]*)(=)([\s\S]*)$/.exec(arg);
		if (option && isSecret(option[1]!.replace(/^-+/, ''))) {
			out.push(`${option[1]}=${redactedMarker(option[3])}`);
			continue;
		}

		if (/^--?[A-Za-z0-9][\w.-]*$/.test(arg) && isSecret(arg.replace(/^-+/, ''))) {
			redactNext = true;
		}

		out.push(arg);
	}

	return out;
}

/** A shell command string, redacted word by word like `redactCommand`. */
export function redactShellCommand(command: string, isSecret: (key: string) => boolean): string {
	const words = command.split(/(\s+)/);
	const redacted = redactCommand(words.filter((_, i) => i % 2 === 0), isSecret);
	return words.map((word, i) => (i % 2 === 0 ? redacted[i / 2]! : word)).join('');
}
