/**
 * How many rows of each section fit in `room` rows, each shown section
 * taking one more for its heading: every section with rows gets its heading
 * and a first row while there is room, then rows go round, in order, so a
 * small terminal shows a little of everything before a lot of one thing.
 */
export function allocateRows(sizes: readonly number[], room: number): number[] {
	const shown = sizes.map(() => 0);
	let left = room;
	for (const [i, size] of sizes.entries()) {
		if (size > 0 && left >= 2) {
			shown[i] = 1;
			left -= 2;
		}
	}

	let grew = true;
	while (left > 0 && grew) {
		grew = false;
		for (const [i, size] of sizes.entries()) {
			if (left > 0 && shown[i]! > 0 && shown[i]! < size) {
				shown[i]! += 1;
				left -= 1;
				grew = true;
			}
		}
	}

	return shown;
}

/** The first row of a `shown`-row window over `count` rows that keeps `selected` in it, near its middle. */
export function windowTop(selected: number, shown: number, count: number): number {
	return Math.max(0, Math.min(selected - Math.floor(shown / 2), count - shown));
}
