export interface Progress {
	tick(label?: string): void;
	done(): void;
}

/**
 * Progress on stderr for long work, only when stderr is a terminal (a pipe or
 * a CI log gets nothing). Redraws at most ten times a second.
 */
export function progressReporter(what: string, total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
	const shown = Boolean(stream.isTTY) && total > 1;
	let count = 0;
	let last = 0;
	return {
		tick(label) {
			count++;
			const now = Date.now();
			if (shown && (now - last > 100 || count === total)) {
				last = now;
				const tail = label ? ` ${label.length > 50 ? `…${label.slice(-49)}` : label}` : '';
				stream.write(`\r\u001b[2K${what} ${count}/${total}${tail}`);
			}
		},
		done() {
			if (shown) {
				stream.write('\r\u001b[2K');
			}
		},
	};
}
