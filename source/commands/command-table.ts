/** A subcommand: its module is imported only when it runs, so `runs list` never loads ink. */
export interface CommandModule {
	run(argv: string[]): Promise<number>;
}

export interface CommandEntry {
	summary: string;
	load: () => Promise<CommandModule>;
}

export const COMMANDS: Record<string, CommandEntry> = {
	console: {summary: 'open the console (the default command)', load: async () => import('./console.js')},
	ingest: {summary: 'ingest TraceEvent JSONL, OTLP JSON exports and run artifact folders', load: async () => import('./ingest.js')},
	demo: {summary: 'fill a demo home, start a simulated live run and open the console', load: async () => import('./demo.js')},
	serve: {summary: 'OTLP receiver: HTTP /v1/traces on 4318, gRPC on 4317 (and /metrics)', load: async () => import('./serve.js')},
	exec: {summary: 'run a CI shell step and record it in a run', load: async () => import('./exec.js')},
	verify: {summary: 'verify a signed plan (ed25519)', load: async () => import('./verify.js')},
	'runs list': {summary: 'list runs, newest first', load: async () => import('./runs-list.js')},
	'runs show': {summary: 'show a run: spans, critical path, failure, compensations, decisions', load: async () => import('./runs-show-entry.js')},
	'runs diff': {summary: 'compare two runs step by step, or one with its last success', load: async () => import('./runs-diff.js')},
	'runs tail': {summary: "print a run's events as they arrive", load: async () => import('./runs-tail.js')},
	'runs analyze': {summary: 'failure rate, failure points, slow steps and decision outcomes over a window', load: async () => import('./runs-analyze.js')},
	'runs export': {summary: 'export runs as csv, json or otlp', load: async () => import('./runs-export.js')},
	'runs open': {summary: "write a run's report.html and open it", load: async () => import('./runs-open.js')},
	'runs grep': {summary: 'search step names, errors and stderr', load: async () => import('./runs-grep.js')},
	'runs purge': {summary: 'delete runs past their retention', load: async () => import('./runs-purge.js')},
	'runs audit': {summary: 'who ran what, where', load: async () => import('./runs-audit.js')},
	'runs verify': {summary: "check a run's plan hash and signature", load: async () => import('./runs-verify.js')},
	'runs report': {summary: 'compliance report (sox)', load: async () => import('./runs-report.js')},
};
