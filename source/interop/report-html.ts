import crypto from 'node:crypto';
import {SCOPE_KIND_WORDS} from '../core/compensations.js';
import {formatDuration} from '../core/format-duration.js';
import {toRedactedJson} from '../core/redact.js';
import {runDurationMs} from '../core/run-duration.js';
import type {ReportSpan, RunReport} from '../core/run-report.js';
import {sanitize} from '../core/sanitize.js';
import {statusSymbol, UNICODE, type StatusLike} from '../core/symbols.js';

export interface ReportHtmlOptions {
	/** When the report was made; open spans run up to it (default: the latest time in the run). */
	generatedAtMs?: number;
	/** Waterfall rows drawn at most; the critical path and the failure's path are always drawn. */
	maxRows?: number;
}

const DEFAULT_MAX_ROWS = 3000;
/** A JSON block longer than this is cut: the report is for reading, the data stays in the run index. */
const MAX_BLOCK_CHARS = 20_000;
const STDERR_LINES_SHOWN = 60;

/** Untrusted text (names, errors, stderr, data) as HTML text or attribute value. */
function esc(value: unknown): string {
	return sanitize(String(value ?? '')).replace(/[&<>"']/g, ch => `&#${ch.charCodeAt(0)};`);
}

function iso(ms: number | null | undefined): string {
	return ms === null || ms === undefined || !Number.isFinite(ms) ? '-' : new Date(ms).toISOString().replace('T', ' ').replace('Z', ' UTC');
}

function isoText(text: string | null): string {
	return text === null ? '-' : iso(Date.parse(text));
}

function jsonBlock(value: unknown): string {
	let text = JSON.stringify(toRedactedJson(value), null, 2) ?? String(value);
	if (text.length > MAX_BLOCK_CHARS) {
		text = `${text.slice(0, MAX_BLOCK_CHARS)}\n… (${text.length - MAX_BLOCK_CHARS} more characters; see tracedeck runs show --json)`;
	}

	return `<pre class="block">${esc(text)}</pre>`;
}

const STATUSES: ReadonlySet<string> = new Set<StatusLike>(['success', 'failed', 'pending', 'running', 'cancelled']);

/** The text cue of a status (colour is never the only one), the console's glyph; '?' for a status it does not know. */
function symbol(status: string): string {
	return STATUSES.has(status) ? statusSymbol(status as StatusLike, UNICODE) : '?';
}

function badge(status: string): string {
	return `<span class="badge st-${esc(status)}"><span aria-hidden="true">${symbol(status)}</span> ${esc(status)}</span>`;
}

function pct(value: number): string {
	return `${Math.max(0, Math.min(100, value)).toFixed(3)}%`;
}

/** Where the waterfall starts and ends, and how to place a time on it. */
interface Scale {
	start: number;
	end: number;
	left(ms: number): string;
	width(from: number, to: number): string;
}

function scaleOf(report: RunReport, nowMs: number): Scale {
	let start = Number.POSITIVE_INFINITY;
	let end = Number.NEGATIVE_INFINITY;
	for (const span of report.spans) {
		start = Math.min(start, span.start_ms);
		end = Math.max(end, span.end_ms ?? Math.max(nowMs, span.start_ms));
	}

	if (!Number.isFinite(start)) {
		start = nowMs;
		end = nowMs;
	}

	const total = Math.max(end - start, 1);
	return {
		start,
		end,
		left: ms => pct(((ms - start) / total) * 100),
		// A zero-length span still gets a sliver, so it can be seen and clicked.
		width: (from, to) => pct(Math.max(((to - from) / total) * 100, 0.15)),
	};
}

interface Context {
	report: RunReport;
	nowMs: number;
	scale: Scale;
	/** Row anchor of each span: span ids are untrusted, so anchors are numbered. */
	anchor: Map<string, string>;
	byId: Map<string, ReportSpan>;
	depth: Map<string, number>;
	critical: Map<string, Array<{start_ms: number; end_ms: number}>>;
	failurePath: Set<string>;
}

function link(ctx: Context, spanId: string, text?: string): string {
	const span = ctx.byId.get(spanId);
	const label = esc(text ?? span?.name ?? spanId);
	const anchor = ctx.anchor.get(spanId);
	return anchor ? `<a href="#${anchor}">${label}</a>` : label;
}

function field(label: string, value: string): string {
	return `<div class="field"><dt>${label}</dt><dd>${value}</dd></div>`;
}

function header(ctx: Context): string {
	const run = ctx.report.run;
	const git = run.git ? [run.git.sha, run.git.branch && `(${run.git.branch})`].filter(Boolean).join(' ') : '-';
	const policy = run.policy
		? Object.entries(run.policy)
				.map(([key, value]) => `${key}=${String(value)}`)
				.join(', ') || '-'
		: '-';
	return `<header>
<h1>${esc(run.name)} ${badge(run.status)}</h1>
<dl class="fields">
${field('Run', `<code>${esc(run.run_id)}</code>`)}
${field('Trace', `<code>${esc(run.trace_id)}</code>`)}
${field('Env', esc(run.env ?? '-'))}
${field('Target', esc(run.target ?? '-'))}
${field('Plan hash', `<code>${esc(run.plan_hash ?? '-')}</code>`)}
${field('Started', esc(isoText(run.started_at)))}
${field('Ended', esc(isoText(run.ended_at)))}
${field('Duration', esc(formatDuration(runDurationMs(run, ctx.nowMs))) + (run.ended_at === null ? ' (running)' : ''))}
${field('Failed step', esc(run.failed_step ?? '-'))}
${field('Progress', esc(`${run.progress.completed}/${run.progress.total} steps`))}
${field('Retries', esc(run.retries))}
${field('Runner', esc(run.runner ?? '-'))}
${field('Git', esc(git))}
${field('User', esc(run.user ?? '-'))}
${field('Policy', esc(policy))}
</dl>
</header>`;
}

/** Failures the run got past (a retry, a fallback): listed so flaky steps stay visible, never as the cause. */
function recoveredNote(ctx: Context): string {
	const recovered = ctx.report.recovered;
	if (recovered.length === 0) {
		return '';
	}

	return `<p class="recovered">${recovered.length} recovered failure${recovered.length === 1 ? '' : 's'} (not the cause): ${recovered.map(id => link(ctx, id)).join(', ')}</p>`;
}

function failureSection(ctx: Context): string {
	const failure = ctx.report.failure;
	if (!failure) {
		return `<section id="failure"><h2>Failure</h2><p class="none">${ctx.report.run.status === 'running' ? 'Nothing has failed so far.' : 'Nothing failed.'}</p>${recoveredNote(ctx)}</section>`;
	}

	const span = ctx.byId.get(failure.span_id);
	const breadcrumb = failure.path.map(id => link(ctx, id)).join(' <span class="sep">›</span> ');
	const stderr = span?.stderr ?? [];
	const shown = stderr.slice(-STDERR_LINES_SHOWN);
	return `<section id="failure" class="failure">
<h2><span aria-hidden="true">✗</span> Failure: ${link(ctx, failure.span_id, failure.name)}</h2>
<p class="path">${breadcrumb}</p>
${failure.step_path ? `<p>Step path <code>${esc(failure.step_path)}</code></p>` : ''}
<h3>Error</h3>
<pre class="block error">${esc(failure.error ?? '(no error message)')}</pre>
${span?.error?.stack ? `<details><summary>Stack</summary><pre class="block">${esc(span.error.stack)}</pre></details>` : ''}
${failure.input === undefined ? '' : `<h3>Input</h3>${jsonBlock(failure.input)}`}
${shown.length > 0 ? `<h3>stderr (last ${shown.length}${stderr.length > shown.length ? ` of ${stderr.length}` : ''} lines)</h3><pre class="block stderr">${esc(shown.join('\n'))}</pre>` : ''}
${recoveredNote(ctx)}
</section>`;
}

function spanDetail(span: ReportSpan): string {
	const rows = [
		['Kind', esc(span.kind)],
		['Status', badge(span.status)],
		['Step path', `<code>${esc(span.path || '(root)')}</code>`],
		['Span id', `<code>${esc(span.span_id)}</code>`],
		['Start', esc(iso(span.start_ms))],
		['End', esc(iso(span.end_ms))],
		['Duration', esc(span.duration_ms === null ? 'open' : formatDuration(span.duration_ms))],
	];
	if (span.retries.length > 0) {
		rows.push(['Retries', esc(span.retries.map(retry => `#${retry.n}${retry.exit_code === undefined ? '' : ` (exit ${retry.exit_code})`}`).join(', '))]);
	}

	if (span.tags.length > 0) {
		rows.push(['Tags', esc(span.tags.join(', '))]);
	}

	const blocks = [
		span.error ? `<h4>Error</h4><pre class="block error">${esc(span.error.message)}${span.error.stack ? `\n\n${esc(span.error.stack)}` : ''}</pre>` : '',
		span.input === undefined ? '' : `<h4>Input</h4>${jsonBlock(span.input)}`,
		span.output === undefined ? '' : `<h4>Output</h4>${jsonBlock(span.output)}`,
		Object.keys(span.attributes).length > 0 ? `<h4>Attributes</h4>${jsonBlock(span.attributes)}` : '',
		span.stderr.length > 0 ? `<h4>stderr</h4><pre class="block stderr">${esc(span.stderr.slice(-STDERR_LINES_SHOWN).join('\n'))}</pre>` : '',
	];
	return `<div class="detail"><dl class="kv">${rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>${blocks.join('')}</div>`;
}

function timelineRow(ctx: Context, span: ReportSpan): string {
	const {scale} = ctx;
	const end = span.end_ms ?? Math.max(ctx.nowMs, span.start_ms);
	const segments = ctx.critical.get(span.span_id) ?? [];
	const classes = ['row', `st-${esc(span.status)}`];
	if (segments.length > 0) {
		classes.push('crit');
	}

	if (ctx.report.failure?.span_id === span.span_id) {
		classes.push('cause');
	} else if (ctx.failurePath.has(span.span_id)) {
		classes.push('on-failure-path');
	}

	const depth = ctx.depth.get(span.span_id) ?? 0;
	const cues = [segments.length > 0 ? '<span class="cue crit-cue" title="on the critical path">◆</span>' : '', ctx.report.failure?.span_id === span.span_id ? '<span class="cue cause-cue">root cause</span>' : ''].join('');
	const crit = segments.map(segment => `<div class="crit-seg" style="left:${scale.left(segment.start_ms)};width:${scale.width(segment.start_ms, segment.end_ms)}"></div>`).join('');
	const duration = span.duration_ms === null ? `${formatDuration(end - span.start_ms)}…` : formatDuration(span.duration_ms);
	return `<details class="${classes.join(' ')}" id="${ctx.anchor.get(span.span_id)!}" data-name="${esc(`${span.name} ${span.path}`.toLowerCase())}">
<summary><span class="label" style="padding-left:${Math.min(depth, 40) * 14 + 4}px"><span class="sym" aria-label="${esc(span.status)}">${symbol(span.status)}</span> <span class="name">${esc(span.name)}</span> <span class="kind">${esc(span.kind)}</span>${cues}</span><span class="dur">${esc(duration)}</span><span class="track"><span class="bar${span.end_ms === null ? ' open' : ''}" style="left:${scale.left(span.start_ms)};width:${scale.width(span.start_ms, end)}"></span>${crit}</span></summary>
${spanDetail(span)}
</details>`;
}

function timelineSection(ctx: Context, maxRows: number): string {
	const keep = new Set([...ctx.critical.keys(), ...ctx.failurePath]);
	const rows: string[] = [];
	let drawn = 0;
	for (const span of ctx.report.spans) {
		if (drawn < maxRows || keep.has(span.span_id)) {
			rows.push(timelineRow(ctx, span));
			drawn++;
		}
	}

	const total = ctx.scale.end - ctx.scale.start;
	const ticks = [0, 0.25, 0.5, 0.75, 1].map(f => `<span class="tick" style="left:${pct(f * 100)}">${esc(formatDuration(total * f))}</span>`).join('');
	const omitted = ctx.report.spans.length - drawn;
	return `<section id="timeline">
<h2>Timeline</h2>
<div class="controls">
<label><input type="checkbox" id="crit-only"> critical path only</label>
<label>filter <input type="search" id="filter" placeholder="step name or path"></label>
<span class="legend"><span class="crit-seg-legend"></span> ◆ critical path &nbsp; ✓ success &nbsp; ✗ failed &nbsp; … open</span>
</div>
<div class="waterfall">
<div class="axis"><span class="label"></span><span class="dur"></span><span class="track">${ticks}</span></div>
${rows.join('\n')}
</div>
${omitted > 0 ? `<p class="none">${omitted} more spans not drawn; see <code>tracedeck runs show --json</code>.</p>` : ''}
</section>`;
}

function criticalSection(ctx: Context): string {
	const segments = ctx.report.critical_path;
	if (segments.length === 0) {
		return '';
	}

	const total = Math.max(segments.at(-1)!.end_ms - segments[0]!.start_ms, 1);
	const rows = segments.map(segment => {
		const length = segment.end_ms - segment.start_ms;
		return `<tr><td>${link(ctx, segment.span_id)}</td><td>${esc(iso(segment.start_ms))}</td><td>${esc(formatDuration(length))}</td><td>${((length / total) * 100).toFixed(1)}%</td></tr>`;
	});
	return `<section id="critical-path">
<h2>Critical path</h2>
<p>The stretches the run's end waited for, in time order (${esc(formatDuration(total))} in all).</p>
<table><thead><tr><th>Span</th><th>From</th><th>Length</th><th>Share</th></tr></thead><tbody>${rows.join('')}</tbody></table>
</section>`;
}

function compensationSection(ctx: Context): string {
	const {compensations, orphans} = ctx.report;
	if (compensations.length === 0 && orphans.length === 0) {
		return '';
	}

	const rows = compensations.map(link_ => {
		const duration = link_.end_ms === null ? 'open' : formatDuration(link_.end_ms - link_.start_ms);
		return `<tr class="st-${esc(link_.status)}"><td>${link(ctx, link_.original_span_id, link_.original_name ?? link_.original_span_id)}</td><td>${link(ctx, link_.span_id)}</td><td>${badge(link_.status)}</td><td>${esc(duration)}</td><td>${esc(SCOPE_KIND_WORDS[link_.scope])}</td></tr>`;
	});
	const orphanList =
		orphans.length === 0
			? '<p class="none">No orphans: every forward step was undone or never needed undoing.</p>'
			: `<h3><span aria-hidden="true">⚠</span> Orphans: forward steps left undone</h3><ul class="orphans">${orphans.map(id => `<li>${link(ctx, id)} <code>${esc(ctx.byId.get(id)?.path ?? '')}</code></li>`).join('')}</ul>`;
	return `<section id="compensations">
<h2>Compensations</h2>
${rows.length > 0 ? `<table><thead><tr><th>Forward step</th><th>Compensation</th><th>Status</th><th>Took</th><th>Kind</th></tr></thead><tbody>${rows.join('')}</tbody></table>` : ''}
${orphanList}
</section>`;
}

function decisionSection(ctx: Context): string {
	const decisions = ctx.report.decisions;
	if (decisions.length === 0) {
		return '';
	}

	const items = decisions.map(decision => {
		const alternatives = decision.alternatives.map(alternative => {
			const chosen = alternative.option === decision.decision;
			return `<tr${chosen ? ' class="chosen"' : ''}><td>${chosen ? '<span aria-hidden="true">➜</span> ' : ''}${esc(alternative.option)}${chosen ? ' (chosen)' : ''}</td><td>${alternative.score === undefined ? '-' : esc(alternative.score)}</td><td>${esc(alternative.reason ?? '')}</td></tr>`;
		});
		const outcome = decision.outcome === 'failed' && decision.downstream_failed_span_id ? `${badge('failed')} downstream failure: ${link(ctx, decision.downstream_failed_span_id)}` : badge(decision.outcome);
		return `<article class="decision">
<h3>${link(ctx, decision.span_id, decision.name)} <code>${esc(decision.path)}</code></h3>
<p>Chose <strong>${esc(decision.decision ?? '(not said)')}</strong>${decision.confidence === null ? '' : ` with confidence ${esc(Math.round(decision.confidence * 100))}%`}. Outcome: ${outcome}</p>
${decision.reasoning ? `<blockquote>${esc(decision.reasoning)}</blockquote>` : ''}
${alternatives.length > 0 ? `<table><thead><tr><th>Option</th><th>Score</th><th>Reason</th></tr></thead><tbody>${alternatives.join('')}</tbody></table>` : '<p class="none">No alternatives recorded.</p>'}
</article>`;
	});
	return `<section id="decisions"><h2>AI decisions</h2>${items.join('\n')}</section>`;
}

const STYLE = `
:root{--fg:#1d2026;--muted:#667085;--line:#e4e7ec;--bg:#fff;--ok:#12805c;--bad:#c4320a;--open:#2e6fd8;--crit:#f5a524;--cause:#fde8e4}
@media (prefers-color-scheme:dark){:root{--fg:#e6e8ec;--muted:#98a2b3;--line:#344054;--bg:#101318;--cause:#3b1d17}}
*{box-sizing:border-box}body{margin:0;padding:20px 28px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg)}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
h1{font-size:22px;margin:0 0 10px}h2{font-size:17px;margin:28px 0 10px;border-bottom:1px solid var(--line);padding-bottom:4px}h3{font-size:15px;margin:14px 0 6px}h4{margin:10px 0 4px;font-size:13px}
a{color:var(--open)}.none,.recovered{color:var(--muted)}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;border:1px solid currentColor;vertical-align:middle}
.st-success>.badge,.badge.st-success{color:var(--ok)}.badge.st-failed{color:var(--bad)}.badge.st-pending,.badge.st-running{color:var(--open)}.badge.st-cancelled{color:var(--muted)}
.fields{display:grid;grid-template-columns:repeat(auto-fill,minmax(230px,1fr));gap:6px 18px;margin:0}.field dt{color:var(--muted);font-size:12px}.field dd{margin:0;overflow-wrap:anywhere}
.failure{border-left:4px solid var(--bad);padding-left:14px}.path .sep{color:var(--muted)}
.block{background:rgba(127,127,127,.08);border:1px solid var(--line);border-radius:4px;padding:8px 10px;white-space:pre-wrap;overflow-wrap:anywhere;max-height:420px;overflow:auto;margin:4px 0}
.block.error{border-color:var(--bad)}
.controls{display:flex;gap:18px;align-items:center;flex-wrap:wrap;margin-bottom:8px}.legend{color:var(--muted);font-size:12px}
.crit-seg-legend{display:inline-block;width:18px;height:4px;background:var(--crit);vertical-align:middle}
.waterfall{border:1px solid var(--line);border-radius:4px}
.waterfall summary,.axis{display:grid;grid-template-columns:minmax(220px,32%) 80px 1fr;align-items:center;min-height:24px;list-style:none;cursor:pointer}
.waterfall summary::-webkit-details-marker{display:none}
.row{border-top:1px solid var(--line)}.row:hover>summary{background:rgba(127,127,127,.07)}
.row.cause>summary{background:var(--cause)}.row.on-failure-path>summary .name{font-weight:600}
.label{white-space:nowrap;overflow:hidden;text-overflow:ellipsis}.kind{color:var(--muted);font-size:11px}
.dur{color:var(--muted);font-size:12px;text-align:right;padding-right:8px}
.st-success .sym{color:var(--ok)}.st-failed .sym{color:var(--bad)}.st-pending .sym{color:var(--open)}
.cue{margin-left:6px;font-size:11px}.crit-cue{color:var(--crit)}.cause-cue{color:var(--bad);font-weight:700;text-transform:uppercase}
.track{position:relative;height:24px;margin-right:10px}
.bar{position:absolute;top:6px;height:12px;border-radius:2px;background:var(--ok);opacity:.85}
.st-failed .bar{background:var(--bad)}.st-pending .bar{background:var(--open)}
.bar.open{background-image:repeating-linear-gradient(45deg,transparent 0 4px,rgba(255,255,255,.45) 4px 8px)}
.crit-seg{position:absolute;top:19px;height:4px;background:var(--crit);border-radius:2px}
.row.crit>summary .label{box-shadow:inset 3px 0 0 var(--crit)}
.axis{cursor:default;border-bottom:1px solid var(--line);font-size:11px;color:var(--muted)}.axis .track{height:18px}.tick{position:absolute;transform:translateX(-50%);white-space:nowrap}.tick:first-child{transform:none}.tick:last-child{transform:translateX(-100%)}
.detail{padding:6px 14px 12px 24px;border-top:1px dashed var(--line)}
.kv{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:0}.kv dt{color:var(--muted)}.kv dd{margin:0;overflow-wrap:anywhere}
table{border-collapse:collapse;margin:6px 0}th,td{border-bottom:1px solid var(--line);padding:4px 12px 4px 0;text-align:left;vertical-align:top}th{color:var(--muted);font-weight:600;font-size:12px}
tr.chosen td{font-weight:600}.decision{margin-bottom:18px}blockquote{margin:6px 0;padding-left:10px;border-left:3px solid var(--line);color:var(--muted)}
.orphans li{color:var(--bad)}footer{margin-top:32px;color:var(--muted);font-size:12px}
`;

// Filters the waterfall and opens a span when its anchor is followed. Progressive: without it the report still reads.
const SCRIPT = `
(function(){
var rows=[].slice.call(document.querySelectorAll('.waterfall .row'));
var crit=document.getElementById('crit-only');var filter=document.getElementById('filter');
function apply(){var q=(filter.value||'').toLowerCase();rows.forEach(function(r){r.hidden=(crit.checked&&!r.classList.contains('crit'))||(q!==''&&r.getAttribute('data-name').indexOf(q)<0);});}
if(crit&&filter){crit.addEventListener('change',apply);filter.addEventListener('input',apply);}
function reveal(){var id=location.hash.slice(1);var el=id&&document.getElementById(id);if(el&&el.tagName==='DETAILS'){el.hidden=false;el.open=true;el.scrollIntoView({block:'center'});}}
window.addEventListener('hashchange',reveal);reveal();
})();
`;

const SCRIPT_HASH = crypto.createHash('sha256').update(SCRIPT, 'utf8').digest('base64');

/**
 * One self-contained HTML page for a run: header, failure, waterfall with the
 * critical path, compensations and AI decisions. No network: styles and the
 * small script are inline, and the Content-Security-Policy forbids loading
 * anything (or running any script but ours, should escaping ever slip).
 * Every producer-supplied string is escaped, and data shown has its secrets
 * redacted.
 */
export function renderReportHtml(report: RunReport, options: ReportHtmlOptions = {}): string {
	const latest = report.spans.reduce((max, span) => Math.max(max, span.end_ms ?? span.start_ms), 0);
	const nowMs = options.generatedAtMs ?? latest;
	const anchor = new Map<string, string>();
	const byId = new Map<string, ReportSpan>();
	const depth = new Map<string, number>();
	report.spans.forEach((span, i) => {
		anchor.set(span.span_id, `s${i}`);
		byId.set(span.span_id, span);
		// Spans come parents first, so a parent's depth is always known here.
		depth.set(span.span_id, span.parent_span_id === null ? 0 : (depth.get(span.parent_span_id) ?? -1) + 1);
	});
	const critical = new Map<string, Array<{start_ms: number; end_ms: number}>>();
	for (const segment of report.critical_path) {
		const list = critical.get(segment.span_id) ?? [];
		list.push(segment);
		critical.set(segment.span_id, list);
	}

	const ctx: Context = {report, nowMs, scale: scaleOf(report, nowMs), anchor, byId, depth, critical, failurePath: new Set(report.failure?.path ?? [])};
	const run = report.run;
	return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${SCRIPT_HASH}'; img-src data:; base-uri 'none'; form-action 'none'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="tracedeck">
<title>${esc(`${symbol(run.status)} ${run.name} · ${run.run_id} · ${run.status}`)}</title>
<style>${STYLE}</style>
</head>
<body>
${header(ctx)}
<main>
${failureSection(ctx)}
${timelineSection(ctx, options.maxRows ?? DEFAULT_MAX_ROWS)}
${criticalSection(ctx)}
${compensationSection(ctx)}
${decisionSection(ctx)}
</main>
<footer>Generated by tracedeck on ${esc(iso(nowMs))} from ${report.spans.length} spans. Times are UTC.</footer>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
