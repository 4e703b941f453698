import fs from 'node:fs';
import {createRequire} from 'node:module';
import os from 'node:os';
import path from 'node:path';
import {ConfigError} from '../core/errors.js';
import {THEME_ROLES, type ThemeRole} from '../core/theme-roles.js';
import {CONFIG_KEYS, checkConfig, type CheckedConfig} from './config-check.js';

/*
 * The config file: $XDG_CONFIG_HOME/tracedeck/config.toml (~/.config/...
 * when XDG_CONFIG_HOME is unset), or the file TRACEDECK_CONFIG names, or
 * --config. It is read at most once per process and file, and only when it
 * exists does the TOML parser load (require()d, it ships CommonJS): the
 * settings functions are synchronous and called by every command, and a
 * `runs list --json` without a config file should not pay for a parser.
 * The checks are by hand (config-check.ts), to keep zod out of start-up.
 */

/** What the file may hold (config-check.ts decides what passes); every key is optional and unknown keys are errors. */
export interface TracedeckConfig extends Omit<CheckedConfig, 'links' | 'filters' | 'colors'> {
	/** The file read, or null when there is none (the default location, absent). */
	file: string | null;
	links: Readonly<Record<string, string>>;
	filters: Readonly<Record<string, string>>;
	colors: Readonly<Partial<Record<ThemeRole, string>>>;
}

export type ConfigSource = 'flag' | 'env' | 'default';

// Synchronous loading, for packages that ship CommonJS beside ESM.
const requireCjs = createRequire(import.meta.url);
type Toml = typeof import('smol-toml');

let flagFile: string | undefined;
const cache = new Map<string, TracedeckConfig>();

/** --config, as the shared flag parsing saw it (undefined: not given). */
export function setConfigFlag(file: string | undefined): void {
	flagFile = file === '' ? undefined : file;
}

/** Where the config file is: --config, else TRACEDECK_CONFIG, else the XDG location. */
export function configLocation(env: NodeJS.ProcessEnv = process.env): {file: string; source: ConfigSource} {
	if (flagFile !== undefined) {
		return {file: path.resolve(flagFile), source: 'flag'};
	}

	const fromEnv = env['TRACEDECK_CONFIG'];
	if (fromEnv !== undefined && fromEnv !== '') {
		return {file: path.resolve(fromEnv), source: 'env'};
	}

	// The XDG spec: a relative XDG_CONFIG_HOME is invalid and ignored.
	const xdg = env['XDG_CONFIG_HOME'];
	const base = xdg !== undefined && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.config');
	return {file: path.join(base, 'tracedeck', 'config.toml'), source: 'default'};
}

function emptyConfig(file: string | null): TracedeckConfig {
	return {file, links: {}, filters: {}, colors: {}};
}

/**
 * The config in effect: read and checked the first time a file is asked
 * for, then remembered. A file named by --config or TRACEDECK_CONFIG must
 * exist (a typo must not quietly mean "no config"); the default one may not.
 *
 * @throws ConfigError (exit 2) naming the file, and the line where the TOML breaks or the key that is wrong
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): TracedeckConfig {
	const {file, source} = configLocation(env);
	const cached = cache.get(file);
	if (cached) {
		return cached;
	}

	let text: string;
	try {
		text = fs.readFileSync(file, 'utf8');
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'ENOENT' && source === 'default') {
			const none = emptyConfig(null);
			cache.set(file, none);
			return none;
		}

		const named = source === 'flag' ? '--config' : source === 'env' ? 'TRACEDECK_CONFIG' : 'the config file';
		throw new ConfigError(named, code === 'ENOENT' ? `config file ${file} (from ${named}) does not exist; create it or point ${named} at one` : `cannot read config file ${file}: ${code ?? String(error)}`);
	}

	const config = parseConfig(text, file);
	cache.set(file, config);
	return config;
}

/** Forget what was read (tests, and after :save rewrote the file). */
export function forgetConfig(file?: string): void {
	if (file === undefined) {
		cache.clear();
	} else {
		cache.delete(file);
	}
}

/** The 1-based line where `key` is set, when a plain search finds it (for messages). */
function lineOf(text: string, key: string): number | undefined {
	const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
	const pattern = new RegExp(`^\\s*(?:${escaped}|"${escaped}"|'${escaped}')\\s*=`);
	const index = text.split(/\r?\n/).findIndex(line => pattern.test(line));
	return index === -1 ? undefined : index + 1;
}

/**
 * Parse and check one config file's text; `file` names it in messages.
 *
 * @throws ConfigError "<file>:<line>:<column>: <what>" for broken TOML, "<file>:<line>: unknown key ..." for a key tracedeck does not know, "<file>:<line>: <key> <what>" for a bad value
 */
export function parseConfig(text: string, file: string): TracedeckConfig {
	const toml = requireCjs('smol-toml') as Toml;
	let data: Record<string, unknown>;
	try {
		data = toml.parse(text);
	} catch (error) {
		if (error instanceof toml.TomlError) {
			const what = error.message.split('\n')[0]!.replace(/^Invalid TOML document: /, '');
			throw new ConfigError('config', `${file}:${error.line}:${error.column}: ${what}`);
		}

		throw error;
	}

	const result = checkConfig(data);
	if (!result.ok) {
		const {problem} = result;
		if (problem.kind === 'unknown') {
			const key = [...problem.where, problem.key].join('.');
			const line = lineOf(text, problem.key);
			const known = problem.where.length === 0 ? CONFIG_KEYS : THEME_ROLES.join(', ');
			throw new ConfigError('config', `${file}${line === undefined ? '' : `:${line}`}: unknown key "${key}"; the keys are ${known}`);
		}

		const line = lineOf(text, problem.where.at(-1)!);
		throw new ConfigError('config', `${file}${line === undefined ? '' : `:${line}`}: ${problem.where.join('.')} ${problem.message}`);
	}

	const {home, links = {}, filters = {}, colors = {}, ...rest} = result.config;
	return {file, ...rest, ...(home === undefined ? {} : {home: expandHome(home, file)}), links, filters, colors};
}

/** `~/x` is under the user's home; a relative path is taken from the config file's folder. */
function expandHome(value: string, file: string): string {
	const expanded = value === '~' ? os.homedir() : value.startsWith('~/') ? path.join(os.homedir(), value.slice(2)) : value;
	return path.resolve(path.dirname(file), expanded);
}

/**
 * Save a runs filter under `name` in the config file's [filters], keeping
 * the rest of the file as written (comments, order): the one line is
 * replaced, or added under [filters], or [filters] is added at the end. The
 * result is checked before it replaces the file (atomically; a new file is
 * 0600, its folder 0700), and the process's config follows it.
 *
 * @returns the config now in effect
 */
export function saveFilter(name: string, filter: string, env: NodeJS.ProcessEnv = process.env): TracedeckConfig {
	const {file} = configLocation(env);
	let text = '';
	let mode = 0o600;
	try {
		text = fs.readFileSync(file, 'utf8');
		mode = fs.statSync(file).mode & 0o777;
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
			throw error;
		}
	}

	const toml = requireCjs('smol-toml') as Toml;
	const entry = toml.stringify({[name]: filter}).trim();
	const next = withFilterLine(text, entry, (line: string) => {
		try {
			return Object.keys(toml.parse(line)).at(0) === name;
		} catch {
			return false;
		}
	});
	const config = parseConfig(next, file);
	fs.mkdirSync(path.dirname(file), {recursive: true, mode: 0o700});
	const temporary = `${file}.${process.pid}.tmp`;
	fs.writeFileSync(temporary, next, {mode});
	fs.renameSync(temporary, file);
	cache.set(file, config);
	return config;
}

/** The text with `entry` set in [filters]; `sameKey` tells a line that sets the same name. */
function withFilterLine(text: string, entry: string, sameKey: (line: string) => boolean): string {
	const lines = text === '' ? [] : text.replace(/\r?\n$/, '').split(/\r?\n/);
	const header = lines.findIndex(line => /^\s*\[\s*filters\s*\]\s*(#.*)?$/.test(line));
	if (header === -1) {
		return `${[...lines, ...(lines.length > 0 ? [''] : []), '[filters]', entry].join('\n')}\n`;
	}

	let end = header + 1;
	while (end < lines.length && !/^\s*\[/.test(lines[end]!)) {
		if (sameKey(lines[end]!)) {
			lines[end] = entry;
			return `${lines.join('\n')}\n`;
		}

		end++;
	}

	// After the table's last setting, before the blank lines that lead to the next table.
	let at = end;
	while (at > header + 1 && lines[at - 1]!.trim() === '') {
		at--;
	}

	lines.splice(at, 0, entry);
	return `${lines.join('\n')}\n`;
}
