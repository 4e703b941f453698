import {execFileSync} from 'node:child_process';
import type {GitInfo} from '../core/run.js';

/** What git says about the working copy, for a new run's fields and id. */
export interface GitFacts extends GitInfo {
	/** `git rev-parse --short HEAD`, for the run id. */
	shortSha?: string;
}

function git(args: readonly string[], cwd: string | undefined): string | undefined {
	try {
		const out = execFileSync('git', args, {cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000}).trim();
		return out === '' ? undefined : out;
	} catch {
		// Not a repository, no git, or git too slow: the run simply has no sha.
		return undefined;
	}
}

/** The commit and branch, from git or else the CI's environment; empty outside a repository. */
export function gitFacts(cwd?: string, env: NodeJS.ProcessEnv = process.env): GitFacts {
	const facts: GitFacts = {};
	const sha = git(['rev-parse', 'HEAD'], cwd) ?? env['GITHUB_SHA'] ?? env['CI_COMMIT_SHA'] ?? undefined;
	if (sha !== undefined && sha !== '') {
		facts.sha = sha;
		facts.shortSha = git(['rev-parse', '--short', 'HEAD'], cwd) ?? sha.slice(0, 7);
	}

	let branch = git(['rev-parse', '--abbrev-ref', 'HEAD'], cwd);
	if (branch === undefined || branch === 'HEAD') {
		// Detached HEAD, as CI checkouts often are: ask the CI.
		branch = env['GITHUB_HEAD_REF'] || env['GITHUB_REF_NAME'] || env['CI_COMMIT_REF_NAME'] || env['BRANCH_NAME'] || undefined;
	}

	if (branch !== undefined) {
		facts.branch = branch;
	}

	return facts;
}
