const UNICODE = {success: '✓', failed: '✗', running: '…', pending: '…', cancelled: '⊘'} as const;
const ASCII = {success: 'ok', failed: 'x', running: '..', pending: '..', cancelled: '-'} as const;

export type Symbolic = keyof typeof UNICODE;

/** A status as a text cue that does not rely on colour; ASCII where the terminal is not UTF-8. */
export function statusSymbol(status: Symbolic, ascii = !/utf-?8/i.test(`${process.env['LC_ALL'] ?? ''}${process.env['LC_CTYPE'] ?? ''}${process.env['LANG'] ?? ''}`)): string {
	return (ascii ? ASCII : UNICODE)[status];
}
