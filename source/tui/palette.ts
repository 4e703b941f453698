import {foregroundColorNames} from 'chalk';
import {ConfigError} from '../core/errors.js';
import {THEME_DEFAULTS, type ThemeRole} from '../core/theme-roles.js';

/*
 * The colours the console draws with: a segment's colour is a theme role
 * (statusColor gives one) or a chalk colour name, and the config file's
 * [colors] may change each role. Text drawn in a role's default colour by
 * name ('red' for an error message) follows the role that colour stands for,
 * so `failed = "#ff5555"` reaches every red on screen, not only the status
 * cells.
 */

/** A segment's colour as ink should draw it. */
export type Palette = (color: string | undefined) => string | undefined;

/** Which role a default colour, written by name, stands for. */
const ROLE_OF: Readonly<Record<string, ThemeRole>> = {green: 'success', red: 'failed', yellow: 'running', magenta: 'critical', cyan: 'accent', gray: 'muted', blue: 'mark'};

const HEX_COLOR = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;
const NAMES: ReadonlySet<string> = new Set(foregroundColorNames);

export function makePalette(colors: Readonly<Partial<Record<ThemeRole, string>>> = {}): Palette {
	const roles: Record<string, string> = {...THEME_DEFAULTS, ...colors};
	return color => {
		if (color === undefined) {
			return undefined;
		}

		if (Object.hasOwn(roles, color)) {
			return roles[color];
		}

		const role = Object.hasOwn(ROLE_OF, color) ? ROLE_OF[color] : undefined;
		return (role === undefined ? undefined : colors[role]) ?? color;
	};
}

export const DEFAULT_PALETTE = makePalette();

/**
 * Check the config's colours against chalk's names (the console loads chalk
 * anyway; the config reader does not) before the first frame.
 *
 * @throws ConfigError naming the file and the key
 */
export function checkColors(colors: Readonly<Partial<Record<ThemeRole, string>>>, file: string | null): void {
	for (const [role, color] of Object.entries(colors)) {
		if (color !== undefined && !HEX_COLOR.test(color) && !NAMES.has(color)) {
			throw new ConfigError('config', `${file ?? 'config'}: colors.${role} = "${color}" is not a colour; use #rrggbb or one of ${foregroundColorNames.join(', ')}`);
		}
	}
}
