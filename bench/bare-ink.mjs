// The baseline for console figures: the smallest Ink app (one Text, re-rendered
// on each key, q quits), plain JS like the compiled console, production React.
process.env.NODE_ENV ??= 'production';
const {createElement: h, useState} = await import('react');
const {render, Text, useApp, useInput} = await import('ink');

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
	return h(Text, null, `bare ink app, ${count} keys`);
}

render(h(Bare));
