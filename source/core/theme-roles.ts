/*
 * The console's colour roles and their default colours (chalk names). The
 * theme (tui/theme.ts) draws with them and the config file's [colors] table
 * may change each one, so the names live here, below both.
 */
export const THEME_DEFAULTS = {
	success: 'green',
	failed: 'red',
	running: 'yellow',
	pending: 'yellow',
	cancelled: 'gray',
	stuck: 'magenta',
	critical: 'magenta',
	accent: 'cyan',
	muted: 'gray',
	mark: 'blue',
} as const;

export type ThemeRole = keyof typeof THEME_DEFAULTS;

export const THEME_ROLES = Object.keys(THEME_DEFAULTS) as ThemeRole[];
