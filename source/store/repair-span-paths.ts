import {displayName} from '../core/span-name.js';
import type {Span} from '../core/span.js';
import {type PathLink, walkStepPath} from '../core/tree.js';
import type {Db} from './open-database.js';

interface LinkRow {
	trace_id: string;
	span_id: string;
	parent_span_id: string | null;
	name: string;
	kind: Span['kind'];
	path: string;
}

/**
 * Migration 11's follow-up: paths stored before the fold repathed a late
 * parent's children (a span whose parent arrived in a later batch kept a
 * path without the parent's name) are set to what the tree gives, the walk
 * fold-program.ts uses. One pass over the spans' link columns in key order,
 * a trace at a time; only the paths that differ are written.
 */
export function repairSpanPaths(db: Db): void {
	const update = db.prepare('UPDATE spans SET path = ? WHERE trace_id = ? AND span_id = ?');
	let traceId: string | undefined;
	let links = new Map<string, LinkRow>();
	const settle = (): void => {
		const lookup = (id: string): PathLink | undefined => {
			const link = links.get(id);
			return link && {parent: link.parent_span_id, name: displayName(link)};
		};
		for (const link of links.values()) {
			const path = walkStepPath(lookup, link.span_id);
			if (path !== link.path) {
				update.run(path, link.trace_id, link.span_id);
			}
		}
	};

	// Read first, then write: an UPDATE while iterating the same table is not safe in SQLite.
	const rows = db.prepare('SELECT trace_id, span_id, parent_span_id, name, kind, path FROM spans ORDER BY trace_id, span_id').all() as LinkRow[];
	for (const row of rows) {
		if (row.trace_id !== traceId) {
			settle();
			traceId = row.trace_id;
			links = new Map();
		}

		links.set(row.span_id, row);
	}

	settle();
}
