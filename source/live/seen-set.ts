/**
 * A bounded set of delivered events' keys (their ids, never their content:
 * identical events are distinct), oldest evicted first. It only has to cover
 * the window in which one event can arrive twice (Redis and SQLite around a
 * source switch, or a rewound XREAD), so a fixed size is enough and memory
 * stays flat however long a tail runs.
 */
export class SeenSet {
	private readonly items = new Set<string>();

	constructor(readonly capacity = 20_000) {}

	has(key: string): boolean {
		return this.items.has(key);
	}

	/** True when the key was new (and is now remembered). */
	add(key: string): boolean {
		if (this.items.has(key)) {
			return false;
		}

		this.items.add(key);
		if (this.items.size > this.capacity) {
			// Sets iterate in insertion order: the first item is the oldest.
			this.items.delete(this.items.values().next().value!);
		}

		return true;
	}

	get size(): number {
		return this.items.size;
	}
}
