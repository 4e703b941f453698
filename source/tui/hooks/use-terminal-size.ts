import {useStdout} from 'ink';
import {useEffect, useState} from 'react';

export interface TerminalSize {
	columns: number;
	rows: number;
}

const FALLBACK: TerminalSize = {columns: 80, rows: 24};

function measure(stdout: NodeJS.WriteStream): TerminalSize {
	return {
		columns: stdout.columns > 0 ? stdout.columns : FALLBACK.columns,
		rows: stdout.rows > 0 ? stdout.rows : FALLBACK.rows,
	};
}

/**
 * The terminal's size, updated on resize. `override` fixes either dimension
 * (tests render at 80x24 on a stream that has no rows).
 */
export function useTerminalSize(override: Partial<TerminalSize> = {}): TerminalSize {
	const {stdout} = useStdout();
	const [size, setSize] = useState<TerminalSize>(() => measure(stdout));
	useEffect(() => {
		const onResize = (): void => {
			setSize(previous => {
				const next = measure(stdout);
				return next.columns === previous.columns && next.rows === previous.rows ? previous : next;
			});
		};

		stdout.on('resize', onResize);
		return () => {
			stdout.off('resize', onResize);
		};
	}, [stdout]);

	return {columns: override.columns ?? size.columns, rows: override.rows ?? size.rows};
}
