/** What the console opens on. */
export type InitialScreen =
	| {screen: 'runs'}
	| {screen: 'trace'; run: string}
	| {screen: 'diff'; a: string; b: string};

export interface ConsoleOptions {
	home: string;
	redisUrl?: string;
	initial?: InitialScreen;
}
