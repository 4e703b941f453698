import {SCOPE_KIND_WORDS} from '../core/compensations.js';
import {formatDuration} from '../core/format-duration.js';
import {spanLinks, spanLinkValues} from '../core/link-template.js';
import {loadConfig} from '../live/config-file.js';
import {stepLabel} from '../core/run-progress.js';
import type {RunReport} from '../core/run-report.js';
import {sanitize} from '../core/sanitize.js';
import {statusSymbol} from '../core/symbols.js';
import {textSymbols} from './text-symbols.js';

function clean(text: string): string {
	return sanitize(text, true);
}

/**
 * `runs show` as text: header, tree (critical path marked *), failure (with
 * the config file's links out of the failed span), compensations, decisions.
 */
export function formatRunReport(report: RunReport, now: number, links: Readonly<Record<string, string>> = loadConfig().links): string {
	const {run} = report;
	const out: string[] = [];
	const end = run.ended_at === null ? now : Date.parse(run.ended_at);
	const steps = stepLabel(run);
	const symbols = textSymbols();
	out.push(`${clean(run.name)}  ${clean(run.run_id)}`);
	out.push(`${statusSymbol(run.status, symbols)} ${run.status}  ${clean([run.env, run.target].filter(Boolean).join('/') || '-')}  started ${run.started_at}  ${formatDuration(end - Date.parse(run.started_at))}${steps === '' ? '' : `  ${steps}`}${run.retries > 0 ? `  retries ${run.retries}` : ''}`);
	if (run.git?.sha || run.user) {
		out.push(clean(`git ${run.git?.sha ?? '-'}${run.git?.branch ? ` (${run.git.branch})` : ''}  user ${run.user ?? '-'}  runner ${run.runner ?? '-'}`));
	}

	out.push('', 'SPANS (* on the critical path)');
	const critical = new Set(report.critical_path.map(segment => segment.span_id));
	const depth = new Map<string, number>();
	for (const span of report.spans) {
		const d = span.parent_span_id === null ? 0 : (depth.get(span.parent_span_id) ?? 0) + 1;
		depth.set(span.span_id, d);
		const indent = '  '.repeat(Math.min(d, 30));
		const symbol = statusSymbol(span.end_ms === null ? 'running' : span.status, symbols);
		out.push(`${critical.has(span.span_id) ? '*' : ' '} ${indent}${symbol} ${clean(span.name)}  ${formatDuration(span.duration_ms ?? now - span.start_ms)}${span.retries.length > 0 ? `  (${span.retries.length} retries)` : ''}`);
	}

	if (report.failure) {
		const f = report.failure;
		out.push('', `FAILURE  ${clean(f.step_path || f.name)}`, `  error: ${clean(f.error ?? '(no message)')}`);
		if (f.input !== undefined) {
			out.push(`  input: ${clean(JSON.stringify(f.input)).slice(0, 500)}`);
		}

		const failed = report.spans.find(span => span.span_id === f.span_id);
		for (const line of (failed?.stderr ?? []).slice(-5)) {
			out.push(`  | ${clean(line)}`);
		}

		if (failed && Object.keys(links).length > 0) {
			out.push('  links:');
			for (const link of spanLinks(links, spanLinkValues({...failed, trace_id: run.trace_id}, run))) {
				out.push(`    ${clean(link.name)}  ${link.url}`);
			}
		}
	}

	if (report.recovered.length > 0) {
		const names = new Map(report.spans.map(span => [span.span_id, span]));
		out.push('', `RECOVERED  ${report.recovered.length} failure${report.recovered.length === 1 ? '' : 's'} the run got past (not the cause)`);
		for (const id of report.recovered) {
			const span = names.get(id);
			out.push(`  ${clean(span?.path || span?.name || id)}${span?.error ? `: ${clean(span.error.message)}` : ''}`);
		}
	}

	if (report.compensations.length > 0) {
		out.push('', 'COMPENSATIONS');
		const names = new Map(report.spans.map(span => [span.span_id, span.name]));
		for (const c of report.compensations) {
			out.push(`  ${statusSymbol(c.end_ms === null ? 'running' : c.status, symbols)} ${clean(names.get(c.original_span_id) ?? c.original_span_id)} <- ${clean(names.get(c.span_id) ?? c.span_id)}  ${formatDuration(c.end_ms === null ? null : c.end_ms - c.start_ms)}  (${SCOPE_KIND_WORDS[c.scope]})`);
		}

		if (report.orphans.length > 0) {
			out.push(`  orphans (left undone): ${report.orphans.map(id => clean(names.get(id) ?? id)).join(', ')}`);
		}
	}

	if (report.decisions.length > 0) {
		out.push('', 'DECISIONS');
		for (const d of report.decisions) {
			const alternatives = d.alternatives.map(a => `${clean(a.option)}${a.score === undefined ? '' : `=${a.score}`}`).join(' ');
			out.push(`  ${clean(d.path || d.name)}: chose ${clean(d.decision ?? '?')} (confidence ${d.confidence ?? '-'}; ${alternatives}) -> ${d.outcome}`);
			if (d.reasoning) {
				out.push(`    ${clean(d.reasoning)}`);
			}
		}
	}

	return out.join('\n');
}
