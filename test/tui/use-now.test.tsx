import assert from 'node:assert/strict';
import test, {mock} from 'node:test';
import {Text} from 'ink';
import {render} from 'ink-testing-library';
import {useNow} from '../../source/tui/hooks/use-now.js';

function Clock({ticking, clock}: {ticking: boolean; clock: () => number}) {
	return <Text>now {useNow(1000, clock, ticking)}</Text>;
}

const settle = async (): Promise<void> => {
	for (let i = 0; i < 5; i++) {
		await new Promise(resolve => setImmediate(resolve));
	}
};

test('useNow: stopped, the clock is not read and nothing re-renders; started again, it reads the clock at once, then ticks', async () => {
	mock.timers.enable({apis: ['setInterval']});
	try {
		let reads = 0;
		const clock = (): number => ++reads;
		const {lastFrame, rerender, unmount} = render(<Clock ticking={false} clock={clock} />);
		await settle();
		assert.equal(lastFrame(), 'now 1');
		mock.timers.tick(5000);
		await settle();
		assert.equal(lastFrame(), 'now 1', 'no tick while stopped');
		assert.equal(reads, 1);
		rerender(<Clock ticking clock={clock} />);
		await settle();
		assert.equal(lastFrame(), 'now 2', 'read at once on starting');
		mock.timers.tick(1000);
		await settle();
		assert.equal(lastFrame(), 'now 3');
		rerender(<Clock ticking={false} clock={clock} />);
		mock.timers.tick(3000);
		await settle();
		assert.equal(lastFrame(), 'now 3', 'stopped again');
		unmount();
	} finally {
		mock.timers.reset();
	}
});

test('useNow: ticking from the start does not re-render at mount (the first frame is not drawn twice)', async () => {
	mock.timers.enable({apis: ['setInterval']});
	try {
		let reads = 0;
		const {lastFrame, unmount} = render(<Clock ticking clock={() => ++reads} />);
		await settle();
		assert.equal(lastFrame(), 'now 1');
		assert.equal(reads, 1);
		mock.timers.tick(1000);
		await settle();
		assert.equal(lastFrame(), 'now 2');
		unmount();
	} finally {
		mock.timers.reset();
	}
});
