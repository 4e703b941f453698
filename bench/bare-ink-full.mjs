// The baseline for the console's keypress figures: a bare Ink app that fills
// the terminal the way the trace screen does (every row a line of coloured,
// bold, dim and inverse segments, padded to the full width), with a cursor row
// that j/k move through 10,000 rows, scrolling once it reaches the edge. No
// data, no state beyond the cursor: what Ink itself costs to redraw an equally
// full, equally styled screen of the same size. Same render options as the
// console (start-console.ts), plain JS, production React.
process.env.NODE_ENV ??= 'production';
const {createElement: h, useState} = await import('react');
const {Box, render, Text, useApp, useInput, useStdout} = await import('ink');

const ROWS = 10_000;
const COLORS = ['green', 'red', 'yellow', 'cyan', 'blue'];

/** Row i's segments at `width` columns: gutter, tree column, took, bar, like a trace row. */
function rowSegments(i, width, selected) {
	const depth = i % 5;
	const name = `${'  '.repeat(depth)}▾ ✓ step ${i} compile and test shard ${i % 17}`;
	const tree = Math.max(8, Math.floor(width * 0.55));
	const bar = Math.max(8, width - tree - 13);
	const from = (i * 7) % Math.max(1, bar - 4);
	const len = 1 + ((i * 13) % Math.max(1, bar - from));
	const color = COLORS[i % COLORS.length];
	return [
		{text: selected ? '›' : ' ', bold: true},
		{text: ' '},
		{text: i % 9 === 0 ? '◆' : ' ', color: 'magenta', bold: true},
		{text: ' '},
		{text: name.slice(0, tree).padEnd(tree), bold: depth === 0, dim: depth > 2},
		{text: ' '},
		{text: `${(i % 997) + 1}ms`.padStart(7), color: i % 11 === 0 ? 'yellow' : undefined},
		{text: ' '},
		{text: ' '.repeat(from)},
		{text: '█'.repeat(len), color},
		{text: ' '.repeat(Math.max(0, bar - from - len))},
	];
}

function Row({segments, inverse}) {
	return h(
		Text,
		{wrap: 'truncate', inverse},
		segments.map((s, i) => h(Text, {key: i, color: s.color, bold: s.bold, dimColor: s.dim}, s.text)),
	);
}

function Bare() {
	const {exit} = useApp();
	const {stdout} = useStdout();
	const [state, setState] = useState({cursor: 0, top: 0, keys: 0});
	const width = stdout.columns || 80;
	const height = Math.max(4, (stdout.rows || 24) - 1);
	const body = height - 4;
	useInput(input => {
		if (input === 'q') {
			exit();
			return;
		}

		// A burst of keys can arrive as one input ("jjk").
		let step = 0;
		for (const char of input) {
			step += char === 'j' ? 1 : char === 'k' ? -1 : 0;
		}

		setState(({cursor, top, keys}) => {
			const next = Math.max(0, Math.min(ROWS - 1, cursor + step));
			const nextTop = next < top ? next : next >= top + body ? next - body + 1 : top;
			return {cursor: next, top: nextTop, keys: keys + 1};
		});
	});
	const lines = [h(Row, {key: 'header', segments: [{text: `bare ink app › full screen › ${state.keys} keys`.padEnd(width), bold: true, color: 'cyan'}]})];
	lines.push(h(Row, {key: 'columns', segments: [{text: `  ${'span'.padEnd(Math.floor(width * 0.55))} ${'took'.padStart(7)}  0────────── 1.2s`.padEnd(width), bold: true}]}));
	for (let i = state.top; i < state.top + body; i++) {
		lines.push(h(Row, {key: i, segments: rowSegments(i, width, i === state.cursor), inverse: i === state.cursor}));
	}

	lines.push(
		h(Row, {
			key: 'status',
			segments: [
				{text: ' ● live  ', color: 'green'},
				{text: `${state.cursor + 1}/${ROWS}`.padEnd(width - 9), dim: true},
			],
		}),
	);
	lines.push(
		h(Row, {
			key: 'footer',
			segments: [
				{text: ' j/k', bold: true},
				{text: ' move  ', dim: true},
				{text: 'q', bold: true},
				{text: ' quit'.padEnd(width - 12), dim: true},
			],
		}),
	);
	return h(Box, {flexDirection: 'column', width, height}, lines);
}

render(h(Bare), {exitOnCtrlC: true, patchConsole: true, maxFps: 60});
