const ASCII_KEYS: Record<string, string> = {'↓': 'down', '↑': 'up', '→': 'right', '←': 'left'};

/** A key label for the terminal: arrows spelled out where the terminal is ASCII. */
export function keyLabel(label: string, ascii: boolean): string {
	return ascii ? label.replace(/[↓↑→←]/g, arrow => ASCII_KEYS[arrow]!) : label;
}
