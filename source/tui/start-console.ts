import {render} from 'ink';
import React from 'react';
import type {ChangeFeed} from '../live/change-feed.js';
import {loadConfig, saveFilter} from '../live/config-file.js';
import {storeChangeFeed} from '../live/polling-change-feed.js';
import {openStore} from '../store/open-store.js';
import type {Store} from '../store/store.js';
import {App} from './app.js';
import {limitHeapGrowth} from './heap-growth.js';
import type {ConsoleOptions} from './console-options.js';
import {checkColors} from './palette.js';
import {CONSOLE_SIGNALS, terminalGuard, type ConsoleSignal} from './terminal-guard.js';

/**
 * The live feed: the caller's, else Redis Streams (with polling while Redis
 * is down) when a Redis URL is set, else the store's own: woken by
 * LISTEN/NOTIFY where the store has it, polling where not. The Redis module
 * loads only when asked for, so a plain console never loads ioredis.
 */
async function openFeed(store: Store, options: ConsoleOptions): Promise<ChangeFeed> {
	if (options.feed) {
		return options.feed(store);
	}

	if (options.redisUrl !== undefined && options.redisUrl !== '') {
		const {createLiveChangeFeed} = await import('../live/live-change-feed.js');
		return createLiveChangeFeed({store, redisUrl: options.redisUrl});
	}

	return storeChangeFeed(store);
}

/**
 * Open the run index read-only (the SQLite file, or PostgreSQL at
 * `databaseUrl`) and a live feed, run the console until it exits, close
 * everything, and give the exit code. The config file gives the colours,
 * the links out and the saved filters.
 */
export async function startConsole(options: ConsoleOptions): Promise<number> {
	// The config file (read already by the settings, so this is its cache): colours, links and saved filters.
	limitHeapGrowth();
	const config = loadConfig();
	checkColors(config.colors, config.file);
	const store = await openStore({home: options.home, databaseUrl: options.databaseUrl}, {readonly: true});
	let feed: ChangeFeed;
	try {
		feed = await openFeed(store, options);
	} catch (error) {
		await store.close();
		throw error;
	}

	let instance: ReturnType<typeof render> | undefined;
	let closed: Promise<void> | undefined;
	// Once, whoever asks first: the normal end, a signal or a crash.
	const close = async (): Promise<void> => {
		closed ??= Promise.all([feed.close(), store.close()]).then(() => undefined);
		return closed;
	};

	const guard = terminalGuard({
		stdout: process.stdout,
		stdin: process.stdin,
		stderr: process.stderr,
		stop: () => instance?.unmount(),
		close,
		exit: code => process.exit(code),
	});
	// A signal (kill, a closed SSH session, kill -INT) or an error nothing caught would leave the
	// terminal in the alternate screen, raw and without a cursor: give it back first.
	const onSignal = (signal: NodeJS.Signals): void => {
		void guard.onSignal(signal as ConsoleSignal);
	};

	const onCrash = (error: unknown): void => {
		void guard.onCrash(error);
	};

	const signals = Object.keys(CONSOLE_SIGNALS) as ConsoleSignal[];
	for (const signal of signals) {
		process.on(signal, onSignal);
	}

	process.on('uncaughtException', onCrash);
	process.on('unhandledRejection', onCrash);
	guard.enter();
	let code = 0;
	try {
		instance = render(
			React.createElement(App, {
				store,
				feed,
				initial: options.initial,
				stuckAfterMs: options.stuckAfterMs,
				home: options.home,
				colors: config.colors,
				links: config.links,
				filters: config.filters,
				saveFilter: (name: string, filter: string) => saveFilter(name, filter).filters,
			}),
			{exitOnCtrlC: true, patchConsole: true, maxFps: 60},
		);
		try {
			await instance.waitUntilExit();
		} catch (error) {
			// The terminal first: written in the alternate screen, the message would vanish with it.
			guard.restore();
			process.stderr.write(`tracedeck: the console stopped: ${error instanceof Error ? error.message : String(error)}\n`);
			code = 1;
		}

		instance.cleanup();
	} finally {
		guard.restore();
		for (const signal of signals) {
			process.off(signal, onSignal);
		}

		process.off('uncaughtException', onCrash);
		process.off('unhandledRejection', onCrash);
		await close();
	}

	return code;
}
