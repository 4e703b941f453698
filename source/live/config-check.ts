import {parseStuckAfter} from '../core/active-runs.js';
import {unknownPlaceholders} from '../core/link-template.js';
import {THEME_ROLES, type ThemeRole} from '../core/theme-roles.js';

/*
 * The config file's schema, checked by hand: the file is flat (five strings
 * and three tables of strings), and zod cost every command 45-75 ms of
 * loading whenever a config file exists. The checks run in the order zod
 * ran them, so the first problem reported is the one it reported: the known
 * keys in order (within [colors], the roles in order), then unknown keys,
 * then the hex check over all the colours.
 */

/** The keys a config file may set, for the message about an unknown one. */
export const CONFIG_KEYS = 'home, redis, db, token, endpoint, stuck_after, [links], [filters], [colors]';

/** The first thing wrong in a parsed file: a key it does not know, or a value (at `where`) and what is wrong with it. */
export type ConfigProblem = {kind: 'unknown'; where: string[]; key: string} | {kind: 'value'; where: string[]; message: string};

/** What a file that passes holds, every key as written (home not yet expanded). */
export interface CheckedConfig {
	home?: string;
	redis?: string;
	db?: string;
	token?: string;
	endpoint?: string;
	stuck_after?: string;
	links?: Record<string, string>;
	filters?: Record<string, string>;
	colors?: Partial<Record<ThemeRole, string>>;
}

const TOP_KEYS = new Set(['home', 'redis', 'db', 'token', 'endpoint', 'stuck_after', 'links', 'filters', 'colors']);
const ROLES = new Set<string>(THEME_ROLES);
const HEX_COLOR = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;
const LINK_NAME = /^[A-Za-z0-9_.-]+$/;
const PLACEHOLDERS = '{run_id} {trace_id} {span_id} {service} {env} {target} {start} {end} {start_ms} {end_ms}';

class Problem extends Error {
	constructor(readonly problem: ConfigProblem) {
		super('config problem');
	}
}

function bad(where: string[], message: string): never {
	throw new Problem({kind: 'value', where, message});
}

/** A TOML table (smol-toml makes them without a prototype); not an array, and not a date, which TOML also parses to an object. */
function isTable(value: unknown): value is Record<string, unknown> {
	if (typeof value !== 'object' || value === null) {
		return false;
	}

	const prototype: unknown = Object.getPrototypeOf(value);
	return prototype === null || prototype === Object.prototype;
}

function string(value: unknown, where: string[]): string {
	return typeof value === 'string' ? value : bad(where, 'must be a string');
}

function text(value: unknown, where: string[]): string {
	const checked = string(value, where);
	return checked === '' ? bad(where, 'must not be empty') : checked;
}

function table(value: unknown, where: string[]): Record<string, unknown> {
	return isTable(value) ? value : bad(where, 'must be a table');
}

/** A table of strings under names `badName` accepts; `value` checks each string. A "__proto__" name is dropped: set on a plain object it would replace the prototype (zod dropped it too). */
function stringTable(input: unknown, key: string, badName: (name: string) => string | undefined, value?: (text: string, where: string[]) => void): Record<string, string> {
	const entries = table(input, [key]);
	const out: Record<string, string> = {};
	for (const name of Object.keys(entries)) {
		if (name === '__proto__') {
			continue;
		}

		const where = [key, name];
		const nameProblem = badName(name);
		if (nameProblem !== undefined) {
			bad(where, nameProblem);
		}

		out[name] = string(entries[name], where);
		value?.(out[name], where);
	}

	return out;
}

function colorTable(input: unknown): Partial<Record<ThemeRole, string>> {
	const colors = table(input, ['colors']);
	const out: Partial<Record<ThemeRole, string>> = {};
	// Colour names are checked against chalk's list by the console, which loads chalk anyway.
	for (const role of THEME_ROLES) {
		if (Object.hasOwn(colors, role)) {
			out[role] = text(colors[role], ['colors', role]);
		}
	}

	for (const key of Object.keys(colors)) {
		if (!ROLES.has(key)) {
			throw new Problem({kind: 'unknown', where: ['colors'], key});
		}
	}

	if (!Object.values(out).every(color => !color.startsWith('#') || HEX_COLOR.test(color))) {
		bad(['colors'], 'a hex colour is #rgb or #rrggbb');
	}

	return out;
}

/** Check a parsed config file; the first problem, or what it holds. */
export function checkConfig(data: Record<string, unknown>): {ok: true; config: CheckedConfig} | {ok: false; problem: ConfigProblem} {
	try {
		// Built in the order of the keys above, so that the config reads back in one order whatever the file's.
		const config: CheckedConfig = {};
		const has = (key: string) => Object.hasOwn(data, key);
		if (has('home')) {
			config.home = text(data['home'], ['home']);
		}

		if (has('redis')) {
			config.redis = string(data['redis'], ['redis']);
		}

		if (has('db')) {
			config.db = string(data['db'], ['db']);
		}

		if (has('token')) {
			config.token = text(data['token'], ['token']);
		}

		if (has('endpoint')) {
			config.endpoint = string(data['endpoint'], ['endpoint']);
		}

		if (has('stuck_after')) {
			const value = string(data['stuck_after'], ['stuck_after']);
			config.stuck_after = parseStuckAfter(value) === undefined ? bad(['stuck_after'], 'is not a duration (90s, 10m, 1h)') : value;
		}

		if (has('links')) {
			config.links = stringTable(
				data['links'],
				'links',
				name => (LINK_NAME.test(name) ? undefined : 'a link name is letters, digits, _ . or -'),
				(template, where) => {
					const unknown = unknownPlaceholders(template)[0];
					if (unknown !== undefined) {
						bad(where, `unknown placeholder {${unknown}}; the placeholders are ${PLACEHOLDERS}`);
					}
				},
			);
		}

		if (has('filters')) {
			config.filters = stringTable(data['filters'], 'filters', name => (name === '' ? 'a filter name must not be empty' : undefined));
		}

		if (has('colors')) {
			config.colors = colorTable(data['colors']);
		}

		for (const key of Object.keys(data)) {
			if (!TOP_KEYS.has(key)) {
				throw new Problem({kind: 'unknown', where: [], key});
			}
		}

		return {ok: true, config};
	} catch (error) {
		if (error instanceof Problem) {
			return {ok: false, problem: error.problem};
		}

		throw error;
	}
}
