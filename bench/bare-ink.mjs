// The baseline for console figures: the smallest Ink app that draws what a
// console screen draws, a full screen of styled rows at the terminal's size
// (a header, a table of coloured cells with one row selected, a footer), plain
// JS like the compiled console, production React. Each key moves the
// selection and re-renders; q quits. One Text alone would be an unfair
// baseline: Ink's cost grows with what is on the screen.
process.env.NODE_ENV ??= 'production';
const {createElement: h, useState} = await import('react');
const {Box, render, Text, useApp, useInput} = await import('ink');

const columns = process.stdout.columns || 80;
const rows = process.stdout.rows || 24;
const STATUSES = [
	['✓ success', 'green'],
	['✗ failed', 'red'],
	['… running', 'yellow'],
];

function Row({index, selected}) {
	const [status, color] = STATUSES[index % STATUSES.length];
	const name = `run-20260301-1015${String(index % 60).padStart(2, '0')}-${(0x3f2a9c1 + index * 7919).toString(16).slice(0, 7)}`;
	const rest = ` prod  deploy/api  step ${(index % 10) + 1} of 10  ${(index * 37) % 600}s`;
	const text = `${name}  `.padEnd(34).slice(0, columns);
	return h(Box, {height: 1, overflow: 'hidden'}, h(Text, {inverse: selected, bold: selected, wrap: 'truncate'}, h(Text, {color: 'cyan'}, text), h(Text, {color}, status.padEnd(12)), h(Text, {dimColor: true}, rest.padEnd(Math.max(0, columns - 46)))));
}

function Bare() {
	const [count, setCount] = useState(0);
	const {exit} = useApp();
	useInput(input => {
		if (input === 'q') {
			exit();
		} else {
			setCount(n => n + 1);
		}
	});
	const body = Math.max(1, rows - 3);
	return h(
		Box,
		{flexDirection: 'column', width: columns, height: rows - 1},
		h(Text, {bold: true, color: 'blue', wrap: 'truncate'}, `bare ink app · ${count} keys`.padEnd(columns)),
		...Array.from({length: body}, (_, index) => h(Row, {key: index, index, selected: index === count % body})),
		h(Text, {dimColor: true, wrap: 'truncate'}, 'j/k move  enter open  / search  ? help  q quit'.padEnd(columns)),
	);
}

render(h(Bare), {maxFps: 60});
