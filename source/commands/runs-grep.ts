import {InputError} from '../core/errors.js';
import {sanitize} from '../core/sanitize.js';
import type {SearchHit} from '../store/search.js';
import {openCommandStore} from './command-store.js';
import {COMMON_HELP, parseFlags, requireArgs, sinceToMs} from './command-flags.js';
import {writeJson} from './write-json.js';
import {textTable} from './text-table.js';

const HELP = `
  Usage
    $ tracedeck runs grep <pattern> [filters]

  Searches step names, error messages and stderr/log lines of stored runs,
  newest runs first, and the OpenTelemetry log records services sent
  without a trace (RUN says "service <name>"; a trace whose spans never
  arrived, "trace <id>"). The pattern is matched as a phrase of whole words
  (full-text, case-insensitive; "conn*" matches words starting with conn);
  with --like it is a plain substring, punctuation included (and words glued
  to terminal colour codes, which full-text search sees as other words).

  Options
    --like               substring match instead of words (slower)
    --env <env>          only runs in this environment
    --since <dur|date>   only runs started within this window (24h, 7d) or after this date
    --limit <n>          at most n hits (default 50)
${COMMON_HELP}

  Examples
    $ tracedeck runs grep "connection refused" --env prod --since 7d
    $ tracedeck runs grep --like ":5432" --json | jq -r '.[].run_id'
`;

/** The RUN column: the run, else the trace that has only log records, else the service that sent the record. */
function whereOf(hit: SearchHit): string {
	if (hit.run_id !== null) {
		return hit.run_id;
	}

	return hit.trace_id === null ? `service ${hit.service || '(unnamed)'}` : `trace ${hit.trace_id}`;
}

export async function run(argv: string[]): Promise<number> {
	const cli = await parseFlags(argv, HELP, {
		like: {type: 'boolean', default: false},
		env: {type: 'string'},
		since: {type: 'string'},
		limit: {type: 'number', default: 50},
	});
	requireArgs(cli.input, 1, 'the pattern to search for');
	const {flags} = cli;
	if (!Number.isInteger(flags.limit) || flags.limit < 1) {
		throw new InputError('--limit must be a whole number ≥ 1');
	}

	const index = await openCommandStore(flags, {readonly: true});
	let hits;
	try {
		hits = await index.search({pattern: cli.input.join(' '), like: flags.like, env: flags.env, sinceMs: sinceToMs(flags.since), limit: flags.limit});
	} finally {
		await index.close();
	}

	if (flags.json) {
		writeJson(hits);
		return 0;
	}

	if (hits.length === 0) {
		process.stdout.write('no matches\n');
		return 0;
	}

	const rows = hits.map(hit => [whereOf(hit), sanitize(hit.path, true), hit.field, hit.snippet]);
	process.stdout.write(`${textTable(['RUN', 'STEP', 'IN', 'MATCH'], rows)}\n`);
	return 0;
}
