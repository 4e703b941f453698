/**
 * Insert `item` into a list kept in order, after every element it does not
 * come before (`before(item, existing)`): equals keep the order they were
 * inserted in. Lists of a span (events, logs, retries) grow at their end
 * almost always, so the walk starts there.
 */
export function insertInOrder<T>(list: T[], item: T, before: (item: T, existing: T) => boolean): void {
	let i = list.length;
	while (i > 0 && before(item, list[i - 1]!)) {
		i--;
	}

	list.splice(i, 0, item);
}
