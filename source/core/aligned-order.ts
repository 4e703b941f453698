/**
 * The union of two ordered key lists, for a side-by-side: B's order, with each
 * key only in A slotted in right after the key that preceded it in A and is
 * also in B (A's leading removals come first). Keys are unique in each list.
 */
export function alignedOrder(a: readonly string[], b: readonly string[]): string[] {
	const inB = new Set(b);
	const removedAfter = new Map<string | null, string[]>();
	let anchor: string | null = null;
	for (const key of a) {
		if (inB.has(key)) {
			anchor = key;
		} else {
			const list = removedAfter.get(anchor) ?? [];
			list.push(key);
			removedAfter.set(anchor, list);
		}
	}

	const order: string[] = [...(removedAfter.get(null) ?? [])];
	for (const key of b) {
		order.push(key);
		for (const removed of removedAfter.get(key) ?? []) {
			order.push(removed);
		}
	}

	return order;
}
