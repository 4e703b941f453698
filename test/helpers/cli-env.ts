/** Options every test runner of the CLI takes: the home to use and variables to set (undefined unsets one). */
export interface CliEnvOptions {
	home?: string | undefined;
	env?: Record<string, string | undefined> | undefined;
}

/**
 * The caller's settings are never the test's: its Redis, its run id, its CI
 * environment file (exec appends to $GITHUB_ENV) stay out unless the test
 * sets them itself.
 */
const CALLERS_OWN = ['TRACEDECK_REDIS_URL', 'TRACEDECK_REDIS_CLUSTER', 'TRACEDECK_DATABASE_URL', 'TRACEDECK_ENDPOINT', 'TRACEDECK_CONFIG', 'TRACEDECK_RUN_ID', 'GITHUB_ENV'] as const;

/** Where no config file is: the caller's own ~/.config/tracedeck must not reach a test (a test that wants one sets its own). */
const NO_CONFIG_HOME = '/nonexistent/tracedeck-test-config';

/**
 * What a test run of the CLI changes in the environment, in one order for
 * every runner (child from dist, child from source, in-process main): no
 * colour and none of the caller's own settings, then the test's `env`, then
 * `home` as TRACEDECK_HOME. An undefined value means unset.
 */
export function cliEnvChanges({home, env}: CliEnvOptions = {}): Record<string, string | undefined> {
	const changes: Record<string, string | undefined> = {NO_COLOR: '1'};
	for (const key of CALLERS_OWN) {
		changes[key] = undefined;
	}

	changes['XDG_CONFIG_HOME'] = NO_CONFIG_HOME;

	Object.assign(changes, env);
	if (home !== undefined) {
		changes['TRACEDECK_HOME'] = home;
	}

	return changes;
}

/** This process's environment with cliEnvChanges applied: the env for a child tracedeck. */
export function cliEnv(options: CliEnvOptions = {}): NodeJS.ProcessEnv {
	const out: NodeJS.ProcessEnv = {...process.env};
	for (const [key, value] of Object.entries(cliEnvChanges(options))) {
		if (value === undefined) {
			delete out[key];
		} else {
			out[key] = value;
		}
	}

	return out;
}
