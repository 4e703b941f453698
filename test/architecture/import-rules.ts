import fs from 'node:fs';
import path from 'node:path';

/*
 * The layers of DESIGN.md, as a check: tui and commands may use everything
 * below them; store, live, interop and emit use core and, among themselves,
 * only what the table allows (no cycles); core imports nothing outside core,
 * not even node's own modules, so that it stays pure. Nothing in source/
 * reaches out of it: the package ships source/ compiled, and nothing else.
 */

export type Layer = 'core' | 'demo' | 'store' | 'live' | 'interop' | 'emit' | 'commands' | 'tui' | 'entry';

/** What each layer may import from the project's own code. */
export const ALLOWED: Record<Layer, readonly Layer[]> = {
	core: ['core'],
	// The demo's seeded generator: pure but for node:crypto's hashing.
	demo: ['core', 'demo'],
	store: ['core', 'store'],
	live: ['core', 'demo', 'store', 'live'],
	// Servers in interop wait with live's timers (live/sleep.ts); live never imports interop, so no cycle.
	interop: ['core', 'store', 'live', 'interop'],
	emit: ['core', 'store', 'live', 'interop', 'emit'],
	tui: ['core', 'store', 'live', 'interop', 'tui'],
	commands: ['core', 'demo', 'store', 'live', 'interop', 'emit', 'commands', 'tui'],
	entry: ['core', 'demo', 'store', 'live', 'interop', 'emit', 'commands', 'tui', 'entry'],
};

/** Packages only some layers may load: the console's renderer, and clients of servers that load only when used. */
export const PACKAGE_HOMES: Record<string, readonly Layer[]> = {
	ink: ['tui'],
	react: ['tui'],
	'ink-testing-library': [],
	ioredis: ['live'],
	pg: ['store'],
};

export interface SourceFile {
	/** Relative to the repository, with forward slashes: source/core/fold.ts. */
	path: string;
	text: string;
}

export interface Violation {
	file: string;
	imports: string;
	why: string;
}

export function layerOf(file: string): Layer | undefined {
	const match = /^source\/([^/]+)\//.exec(file);
	if (match === null) {
		return /^source\/[^/]+\.tsx?$/.test(file) ? 'entry' : undefined;
	}

	const dir = match[1]!;
	return dir in ALLOWED ? (dir as Layer) : undefined;
}

// Static imports and re-exports, `import type` included, and dynamic import('...').
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|\n)\s*import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

export function importsOf(text: string): string[] {
	const out: string[] = [];
	for (const match of text.matchAll(IMPORT)) {
		out.push((match[1] ?? match[2] ?? match[3])!);
	}

	return out;
}

function packageName(specifier: string): string {
	const parts = specifier.split('/');
	return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** Every import in `files` that breaks the layers. */
export function layerViolations(files: readonly SourceFile[]): Violation[] {
	const violations: Violation[] = [];
	for (const file of files) {
		const layer = layerOf(file.path);
		if (layer === undefined) {
			violations.push({file: file.path, imports: '', why: 'is in no layer: put it under source/<layer>/'});
			continue;
		}

		for (const specifier of importsOf(file.text)) {
			if (specifier.startsWith('.')) {
				const target = path.posix.normalize(path.posix.join(path.posix.dirname(file.path), specifier));
				if (!target.startsWith('source/')) {
					violations.push({file: file.path, imports: specifier, why: 'reaches outside source/ (the package ships source/ alone)'});
					continue;
				}

				const to = layerOf(target);
				if (to === undefined || !ALLOWED[layer].includes(to)) {
					violations.push({file: file.path, imports: specifier, why: `${layer} may not import ${to ?? target}`});
				}

				continue;
			}

			if (layer === 'core') {
				violations.push({file: file.path, imports: specifier, why: 'core imports nothing outside core (no packages, no node: modules)'});
				continue;
			}

			const homes = PACKAGE_HOMES[packageName(specifier)];
			if (homes !== undefined && !homes.includes(layer)) {
				violations.push({file: file.path, imports: specifier, why: `${packageName(specifier)} belongs to ${homes.join(', ') || 'tests alone'}`});
			}
		}
	}

	return violations;
}

/** The project's source files as the check reads them. */
export function readSources(root: string): SourceFile[] {
	const out: SourceFile[] = [];
	const walk = (dir: string): void => {
		for (const entry of fs.readdirSync(path.join(root, dir), {withFileTypes: true})) {
			const rel = `${dir}/${entry.name}`;
			if (entry.isDirectory()) {
				walk(rel);
			} else if (/\.tsx?$/.test(entry.name)) {
				out.push({path: rel, text: fs.readFileSync(path.join(root, rel), 'utf8')});
			}
		}
	};

	walk('source');
	return out;
}
