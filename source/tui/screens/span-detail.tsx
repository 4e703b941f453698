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
import {useKeymap} from '../hooks/use-keymap.js';
import type {TraceModel} from '../hooks/use-trace-model.js';
import type {SpanView} from '../state/console-state.js';
import {handlersFor, moveIndex} from '../state/list-motion.js';
import {statusSymbol} from '../../core/symbols.js';
import {statusColor, statusSegment} from '../theme.js';
import {clean, cleanLines, inlineValue, prettyLines, wrap, type Line as LineType} from '../text.js';
import {useUi} from '../ui-context.js';
import {LONG, more, offset, section, SHORT, type DetailOptions} from './detail-lines.js';
import type {TimedScreenFrame} from './screen-frame.js';
import {missingParentLine, originLine, otelSections} from './span-otel-lines.js';

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
	const templates = options.links ?? {};
	if (Object.keys(templates).length === 0) {
		return [];
	}

	const links = spanLinks(templates, spanLinkValues(span, options.run ?? null));
	const lines: LineType[] = [[], section('LINKS OUT', options.hyperlinks ? '(click a name)' : '(config [links])')];
	for (const {name, url} of links) {
		const label = clean(name);
		if (options.hyperlinks) {
			lines.push([{text: '  '}, {text: label, color: 'accent', link: url}]);
			continue;
		}

		lines.push([{text: `  ${label}`, color: 'accent'}]);
		const room = Math.max(10, options.width - 6);
		for (let at = 0; at < url.length; ) {
			let end = Math.min(url.length, at + room);
			// Never split a %XX escape across two rows.
			const percent = url.lastIndexOf('%', end - 1);
			if (end < url.length && percent > end - 3 && percent > at) {
				end = percent;
			}

			lines.push([{text: `    ${url.slice(at, end)}`}]);
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
	const {symbols, width, expandData} = options;
	const limits = expandData ? LONG : SHORT;
	const lines: LineType[] = [];
	const sep = {text: ` ${symbols.dot} `, dim: true};
	const took = span.end_ms === null ? `running ${formatDuration(Math.max(0, options.nowMs - span.start_ms))}` : `took ${formatDuration(span.end_ms - span.start_ms)}`;
	lines.push([{text: clean(displayName(span)), bold: true}, sep, statusSegment(span.status, symbols), sep, {text: clean(span.kind || 'span')}, sep, {text: took}, sep, {text: `started ${offset(span.start_ms - options.traceStartMs)}`}]);
	lines.push([{text: `span ${clean(span.span_id)} ${symbols.dot} ${span.event_count} event${span.event_count === 1 ? '' : 's'} ${symbols.dot} last ${clean(span.last_event_type)}`, dim: true}]);
	lines.push(...originLine(span, options));
	lines.push(...linkLines(span, options));
	lines.push([]);

	const path = pathTo(tree, span.span_id);
	lines.push(section('PATH FROM ROOT', `(${path.length} ${path.length === 1 ? 'level' : 'levels'})`));
	lines.push(...missingParentLine(span, tree));
	lines.push(...pathLines(path, span.span_id, options));

	if (span.error) {
		lines.push([], section('ERROR'));
		for (const text of wrap(span.error.message, Math.max(10, width - 4))) {
			lines.push([{text: `  ${text}`, color: 'red'}]);
		}

		if (span.error.stack) {
			const stack = cleanLines(span.error.stack);
			for (const text of stack.slice(0, limits.stack)) {
				lines.push([{text: `  ${text}`, dim: true}]);
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
			lines.push([{text: `  ${clean(key).padEnd(keyWidth)}  `, dim: true}, {text: inlineValue(value)}]);
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
			lines.push([{text: `  ${text}`}]);
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
			lines.push([{text: `  ${clean(text)}`, color: 'yellow'}]);
		}
	}

	if (span.tags.length > 0) {
		lines.push([], [{text: 'TAGS ', bold: true, color: 'cyan'}, {text: span.tags.map(tag => clean(tag)).join(', ')}]);
	}

	return lines;
}

export interface SpanDetailProps extends TimedScreenFrame {
	view: SpanView;
	model: TraceModel;
	loading: boolean;
	run?: Run | null;
	/** The config file's [links]. */
	links?: Readonly<Record<string, string>>;
}

/** Span detail: a scrollable page of spanDetailLines. */
export function SpanDetail({view, model, nowMs, width, height, dispatch, active, loading, run = null, links}: SpanDetailProps): React.JSX.Element {
	const {symbols, hyperlinks = false} = useUi();
	const span = model.tree.byId.get(view.spanId);
	// biome-ignore lint/correctness/useExhaustiveDependencies: the clock only matters for open spans: finished ones do not redraw every tick
	const lines = useMemo(
		() => (span ? spanDetailLines(span, model.tree, {symbols, width, expandData: view.expandData, traceStartMs: model.range.start, nowMs, links, run, hyperlinks}) : []),
		// The clock only matters for open spans; finished ones do not redraw every tick.
		[span, model.tree, symbols, width, view.expandData, model.range.start, span?.end_ms === null ? nowMs : 0, links, run, hyperlinks],
	);
	const bodyHeight = Math.max(1, height - 1);
	const maxScroll = Math.max(0, lines.length - bodyHeight);
	const scroll = Math.min(view.scroll, maxScroll);
	const handlers = handlersFor(action => () => {
		const next = moveIndex(action, scroll, maxScroll + 1, bodyHeight - 1);
		if (next !== undefined) {
			dispatch({type: 'scroll', to: next});
		}
	});
	useKeymap('span', {...handlers, expandData: () => dispatch({type: 'toggle-data'})}, active);
	const visible = lines.slice(scroll, scroll + bodyHeight);
	const rows: React.JSX.Element[] = visible.map((line, i) => <Line key={scroll + i} segments={[{text: ' '}, ...line]} width={width} />);
	for (let i = rows.length; i < bodyHeight; i++) {
		rows.push(<Line key={`pad-${i}`} segments={span || !loading ? (i === 0 && !span ? [{text: `  span ${clean(view.spanId)} is not in this trace`, dim: true}] : []) : i === 0 ? [{text: '  loading…', dim: true}] : []} width={width} />);
	}

	const position: LineType = lines.length > bodyHeight ? [{text: `lines ${scroll + 1}-${Math.min(lines.length, scroll + bodyHeight)} of ${lines.length}`, dim: true}] : [];
	return (
		<Box flexDirection="column" width={width} height={height}>
			{rows}
			<Line segments={[{text: ' '}, ...position, {text: view.expandData ? `  ${symbols.dot} data expanded (e shortens)` : `  ${symbols.dot} e expands data`, dim: true}]} width={width} />
		</Box>
	);
}
