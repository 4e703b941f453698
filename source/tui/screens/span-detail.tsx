import {Box} from 'ink';
import type React from 'react';
import {useMemo} from 'react';
import {spanLinks, spanLinkValues} from '../../core/link-template.js';
import type {Run} from '../../core/run.js';
import {displayName} from '../../core/span-name.js';
import {formatDuration} from '../../core/format-duration.js';
import type {Span} from '../../core/span.js';
import {pathTo, type TraceTree} from '../../core/tree.js';
import {Line} from '../components/line.js';
import {scrollTop} from '../components/virtual-list.js';
import {useKeymap} from '../hooks/use-keymap.js';
import type {TerminalActions} from '../hooks/use-terminal-actions.js';
import type {CopyValue} from '../terminal/osc52.js';
import type {TraceModel} from '../hooks/use-trace-model.js';
import type {SpanView} from '../state/console-state.js';
import {handlersFor, moveIndex} from '../state/list-motion.js';
import {statusSymbol} from '../../core/symbols.js';
import {statusColor, statusSegment} from '../theme.js';
import {clean, cleanLines, inlineValue, prettyLines, textWidth, wrap, wrapLine, type Line as LineType} from '../text.js';
import {useUi} from '../ui-context.js';
import {LONG, more, offset, section, SHORT, type DetailOptions} from './detail-lines.js';
import type {TimedScreenFrame} from './screen-frame.js';
import {missingParentLine, originLine, otelSections} from './span-otel-lines.js';
import type {SeverityLevel} from '../../core/log-severity.js';

export type {DetailOptions} from './detail-lines.js';

/** The path from the root down to the span, one level per line; very deep paths keep their ends. */
function pathLines(path: readonly Span[], spanId: string, options: DetailOptions): LineType[] {
	const limit = options.expandData ? LONG.path : SHORT.path;
	const head = Math.min(3, limit);
	const entries: Array<{span: Span; depth: number} | {hidden: number; depth: number}> =
		path.length <= limit ? path.map((span, depth) => ({span, depth})) : [...path.slice(0, head).map((span, depth) => ({span, depth})), {hidden: path.length - limit, depth: head}, ...path.slice(path.length - (limit - head)).map((span, i) => ({span, depth: path.length - (limit - head) + i}))];
	return entries.map(entry => {
		const indent = '  '.repeat(Math.min(entry.depth, 12));
		if ('hidden' in entry) {
			return [{text: `  ${indent}${options.symbols.ellipsis} ${entry.hidden} levels`, dim: true}];
		}

		const isSelf = entry.span.span_id === spanId;
		return [{text: `  ${indent}`}, {text: statusSymbol(entry.span.status, options.symbols), color: statusColor(entry.span.status)}, {text: ` ${clean(displayName(entry.span))}`, bold: isSelf}, ...(isSelf ? [{text: `  ${options.symbols.undo} this span`, dim: true}] : [])];
	});
}

/**
 * The config's links out of the span, by name: a hyperlink where the
 * terminal shows them, else the name and then the whole URL, broken at the
 * width, so it can be copied. Producer values reach the URL URL-encoded.
 */
export function linkLines(span: Span, options: DetailOptions): LineType[] {
	return linkRows(span, options).map(row => row.line);
}

/** linkLines with the URL each line's y copies and o pages. */
function linkRows(span: Span, options: DetailOptions): DetailRow[] {
	const templates = options.links ?? {};
	if (Object.keys(templates).length === 0) {
		return [];
	}

	const links = spanLinks(templates, spanLinkValues(span, options.run ?? null));
	const lines: DetailRow[] = [{line: []}, {line: section('LINKS OUT', options.hyperlinks ? '(click a name)' : '(config [links])')}];
	for (const {name, url} of links) {
		const label = clean(name);
		const value = {what: `link ${label}`, text: url};
		if (options.hyperlinks) {
			lines.push({line: [{text: '  '}, {text: label, color: 'accent', link: url}], value});
			continue;
		}

		lines.push({line: [{text: `  ${label}`, color: 'accent'}], value});
		const room = Math.max(10, options.width - 6);
		for (let at = 0; at < url.length; ) {
			let end = Math.min(url.length, at + room);
			// Never split a %XX escape across two rows.
			const percent = url.lastIndexOf('%', end - 1);
			if (end < url.length && percent > end - 3 && percent > at) {
				end = percent;
			}

			lines.push({line: [{text: `    ${url.slice(at, end)}`}], value});
			at = end;
		}
	}

	return lines;
}

/**
 * Everything about one span as display lines: where it sits, what it was
 * given and returned, how it failed, what OpenTelemetry said of it (service,
 * kind, scope, status message, events, links, resource), its retries and stderr. Every string
 * from the producer is sanitized here.
 */
export function spanDetailLines(span: Span, tree: TraceTree, options: DetailOptions): LineType[] {
	return spanDetailRows(span, tree, options).map(row => row.line);
}

/** A line of span detail, and the value y copies and o pages from it. */
export interface DetailRow {
	line: LineType;
	value?: CopyValue;
	/** Where its wrapped rows start (under the value, not under the key). */
	hang?: number;
}

/** What an attribute is called when copied: the command line by that name, else "attribute <key>". */
function attributeWhat(key: string): string {
	return key === 'command' || key === 'process.command_line' ? 'command' : `attribute ${clean(key)}`;
}

/** A value as the text y copies and o pages: strings as they are, the rest as pretty JSON. */
export function valueText(value: unknown): string {
	if (typeof value === 'string') {
		return value;
	}

	try {
		return JSON.stringify(value, null, 2) ?? String(value);
	} catch {
		return String(value);
	}
}

/** spanDetailLines with each line's value (spanDetailLines is the lines alone, for the trace's side pane). */
export function spanDetailRows(span: Span, tree: TraceTree, options: DetailOptions): DetailRow[] {
	const {symbols, width, expandData} = options;
	const limits = expandData ? LONG : SHORT;
	const lines: LineType[] = [];
	const values = new Map<number, {value: CopyValue; hang?: number}>();
	const valued = (line: LineType, value: CopyValue, hang?: number): void => {
		values.set(lines.length, {value, hang});
		lines.push(line);
	};
	const sep = {text: ` ${symbols.dot} `, dim: true};
	const took = span.end_ms === null ? `running ${formatDuration(Math.max(0, options.nowMs - span.start_ms))}` : `took ${formatDuration(span.end_ms - span.start_ms)}`;
	valued([{text: clean(displayName(span)), bold: true}, sep, statusSegment(span.status, symbols), sep, {text: clean(span.kind || 'span')}, sep, {text: took}, sep, {text: `started ${offset(span.start_ms - options.traceStartMs)}`}], {what: 'span name', text: displayName(span)});
	valued([{text: `span ${clean(span.span_id)} ${symbols.dot} ${span.event_count} event${span.event_count === 1 ? '' : 's'} ${symbols.dot} last ${clean(span.last_event_type)}`, dim: true}], {what: 'span id', text: span.span_id});
	lines.push(...originLine(span, options));
	for (const row of linkRows(span, options)) {
		if (row.value) {
			valued(row.line, row.value);
		} else {
			lines.push(row.line);
		}
	}

	lines.push([]);

	const path = pathTo(tree, span.span_id);
	lines.push(section('PATH FROM ROOT', `(${path.length} ${path.length === 1 ? 'level' : 'levels'})`));
	lines.push(...missingParentLine(span, tree));
	lines.push(...pathLines(path, span.span_id, options));

	if (span.error) {
		lines.push([], section('ERROR'));
		for (const text of wrap(span.error.message, Math.max(10, width - 4))) {
			valued([{text: `  ${text}`, color: 'red'}], {what: 'error', text: span.error.message});
		}

		if (span.error.stack) {
			const stack = cleanLines(span.error.stack);
			for (const text of stack.slice(0, limits.stack)) {
				valued([{text: `  ${text}`, dim: true}], {what: 'stack frame', text: text.trim()}, 6);
			}

			lines.push(...more(stack.length - limits.stack, 'stack lines', expandData));
		}
	}

	lines.push(...otelSections(span, options));
	if (span.retries.length > 0) {
		lines.push([], section('RETRIES', `(${span.retries.length})`));
		for (const retry of span.retries) {
			lines.push([{text: `  ${symbols.retry} #${retry.n}`, color: 'yellow'}, {text: retry.exit_code === undefined ? '' : `  exit ${retry.exit_code}`}, {text: `  at ${offset(retry.at_ms - options.traceStartMs)}`, dim: true}]);
		}
	}

	const attributes = Object.entries(span.attributes);
	if (attributes.length > 0) {
		lines.push([], section('ATTRIBUTES'));
		const keyWidth = Math.min(24, Math.max(...attributes.map(([key]) => clean(key).length)));
		for (const [key, value] of attributes) {
			const label = `  ${clean(key).padEnd(keyWidth)}  `;
			// Long values wrap under themselves; e shows more of them, o all of it.
			valued([{text: label, dim: true}, {text: inlineValue(value, expandData ? 20_000 : 400)}], {what: attributeWhat(key), text: valueText(value)}, textWidth(label) + 1);
		}
	}

	for (const [title, value] of [
		['INPUT', span.input],
		['OUTPUT', span.output],
	] as const) {
		if (value === undefined) {
			continue;
		}

		const {lines: json, hidden} = prettyLines(value, limits.data);
		lines.push([], section(title));
		for (const text of json) {
			valued([{text: `  ${text}`}], {what: title.toLowerCase(), text: valueText(value)}, 5);
		}

		lines.push(...more(hidden, 'lines', expandData));
	}

	if (span.stderr.length > 0) {
		const shown = span.stderr.slice(-limits.stderr);
		lines.push([], section('STDERR', `(last ${shown.length} of ${span.stderr.length} kept)`));
		if (span.stderr.length > shown.length) {
			lines.push(...more(span.stderr.length - shown.length, 'earlier lines', expandData));
		}

		for (const text of shown) {
			valued([{text: `  ${clean(text)}`, color: 'yellow'}], {what: 'stderr line', text}, 5);
		}
	}

	if (span.tags.length > 0) {
		lines.push([]);
		valued([{text: 'TAGS ', bold: true, color: 'cyan'}, {text: span.tags.map(tag => clean(tag)).join(', ')}], {what: 'tags', text: span.tags.join(', ')}, 6);
	}

	return lines.map((line, i) => ({line, ...values.get(i)}));
}

export interface SpanDetailProps extends TimedScreenFrame {
	view: SpanView;
	model: TraceModel;
	loading: boolean;
	run?: Run | null;
	/** The config file's [links]. */
	links?: Readonly<Record<string, string>>;
	terminal: TerminalActions;
	/** The console's level filter (`v`): which log records LOGS lists. */
	level?: SeverityLevel;
}

/** A row of the page as drawn: a piece of a wrapped line, and the line it came from. */
interface PageRow {
	line: LineType;
	source: number;
}

/** Lines wrapped to the width; a line's rows after the first hang under its text. */
function pageRows(rows: readonly DetailRow[], width: number): PageRow[] {
	const out: PageRow[] = [];
	for (let source = 0; source < rows.length; source++) {
		const {line, hang} = rows[source]!;
		const lead = /^ */.exec(line[0]?.text ?? '')![0].length;
		for (const piece of wrapLine(line, width, hang ?? lead + 2)) {
			out.push({line: piece, source});
		}
	}

	return out;
}

/**
 * Span detail: spanDetailRows wrapped to the width, a line cursor moved by
 * the list keys (the page scrolls to keep it in view), y copying and o
 * paging the value of the line under it.
 */
export function SpanDetail({view, model, nowMs, width, height, dispatch, active, loading, run = null, links, terminal, level = 'info'}: SpanDetailProps): React.JSX.Element {
	const {symbols, hyperlinks = false} = useUi();
	const span = model.tree.byId.get(view.spanId);
	// biome-ignore lint/correctness/useExhaustiveDependencies: the clock only matters for open spans: finished ones do not redraw every tick
	const rows = useMemo(
		() => (span ? spanDetailRows(span, model.tree, {symbols, width, expandData: view.expandData, traceStartMs: model.range.start, nowMs, links, run, hyperlinks, level}) : []),
		// The clock only matters for open spans; finished ones do not redraw every tick.
		[span, model.tree, symbols, width, view.expandData, model.range.start, span?.end_ms === null ? nowMs : 0, links, run, hyperlinks, level],
	);
	// One column for the cursor, one before the text.
	const lines = useMemo(() => pageRows(rows, Math.max(10, width - 2)), [rows, width]);
	const bodyHeight = Math.max(1, height - 1);
	const cursor = Math.max(0, Math.min(view.cursor, lines.length - 1));
	const scroll = scrollTop(view.scroll, cursor, bodyHeight, lines.length);
	const value = rows[lines[cursor]?.source ?? -1]?.value;
	const spanJson = (): string => valueText(span ?? {});
	const handlers = handlersFor(action => () => {
		const next = moveIndex(action, cursor, lines.length, bodyHeight - 1);
		if (next !== undefined) {
			dispatch({type: 'span-cursor', cursor: next, scroll: scrollTop(scroll, next, bodyHeight, lines.length)});
		}
	});
	useKeymap(
		'span',
		{
			...handlers,
			expandData: () => dispatch({type: 'toggle-data'}),
			copy() {
				if (value) {
					terminal.copy(value);
				} else {
					dispatch({type: 'message', message: {level: 'info', text: 'nothing to copy on this line: move to a value (j/k), or o for the span as JSON'}});
				}
			},
			pager: () => (value ? terminal.page(value.text, value.what) : span && terminal.page(spanJson(), 'span')),
			pagerSpan: () => span && terminal.page(spanJson(), 'span'),
		},
		active,
	);
	const visible = lines.slice(scroll, scroll + bodyHeight);
	const body: React.JSX.Element[] = visible.map((row, i) => {
		const at = scroll + i === cursor;
		return <Line key={scroll + i} segments={[{text: at ? symbols.cursor.slice(0, 1) : ' ', bold: true}, {text: ' '}, ...row.line]} width={width} inverse={at} />;
	});
	for (let i = body.length; i < bodyHeight; i++) {
		body.push(<Line key={`pad-${i}`} segments={span || !loading ? (i === 0 && !span ? [{text: `  span ${clean(view.spanId)} is not in this trace`, dim: true}] : []) : i === 0 ? [{text: '  loading…', dim: true}] : []} width={width} />);
	}

	const position: LineType =
		lines.length > bodyHeight
			? [
					{text: `lines ${scroll + 1}-${Math.min(lines.length, scroll + bodyHeight)} of ${lines.length}`, dim: true},
					{text: `  ${symbols.dot} `, dim: true},
				]
			: [];
	const hint: LineType = [
		{text: value ? `y/o: ${value.what}` : 'o: the span as JSON', dim: true},
		{text: view.expandData ? `  ${symbols.dot} data expanded (e shortens)` : `  ${symbols.dot} e expands data`, dim: true},
	];
	return (
		<Box flexDirection="column" width={width} height={height}>
			{body}
			<Line segments={[{text: ' '}, ...position, ...hint]} width={width} />
		</Box>
	);
}
