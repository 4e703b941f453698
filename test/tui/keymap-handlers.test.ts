import assert from 'node:assert/strict';
import {test} from 'node:test';
import {BINDINGS, isGlobalAction, screenActions, type ScreenHandlers, type ScreenKind} from '../../source/tui/keymap.js';
import {handlersFor} from '../../source/tui/state/list-motion.js';

/*
 * Issue 15: a key bound in BINDINGS with no handler on its screen did
 * nothing and said nothing (C on the compensations tab, a on the decisions
 * tab). useKeymap now takes ScreenHandlers<S>, one handler per action BINDINGS
 * binds on S, so such a binding fails to compile; tsc checks this file, and
 * the @ts-expect-error lines below fail the typecheck should that ever stop.
 */

const noop = (): void => undefined;

test('keymap: a screen handler map missing a bound action, or with an unbound one, does not compile', () => {
	const span: ScreenHandlers<'span'> = {...handlersFor(() => noop), expandData: noop, copy: noop, pager: noop, pagerSpan: noop};
	// @ts-expect-error expandData is bound on the span screen, so its handler is required
	const missing: ScreenHandlers<'span'> = {...handlersFor(() => noop), copy: noop, pager: noop, pagerSpan: noop};
	// @ts-expect-error sort is not bound on the span screen: a handler for it would never run
	const extra: ScreenHandlers<'span'> = {...handlersFor(() => noop), expandData: noop, copy: noop, pager: noop, pagerSpan: noop, sort: noop};
	assert.deepEqual(Object.keys(span).sort(), screenActions('span').sort());
	assert.ok(missing !== undefined && extra !== undefined);
});

test('keymap: every non-global binding belongs to a screen that must handle it; every global one the App handles', () => {
	const screens: readonly ScreenKind[] = ['runs', 'trace', 'compensations', 'decisions', 'span', 'diff', 'linked', 'analytics', 'failure-runs'];
	for (const binding of BINDINGS) {
		if (binding.scope === 'global') {
			assert.ok(isGlobalAction(binding.action), `${binding.action} is global but the App has no handler for it`);
			continue;
		}

		for (const screen of binding.scope) {
			assert.ok(screens.includes(screen));
			assert.ok(isGlobalAction(binding.action) || screenActions(screen).includes(binding.action), `${binding.action} on ${screen}`);
		}
	}

	assert.deepEqual(screenActions('compensations').sort(), ['bottom', 'compensations', 'decisions', 'down', 'linked', 'nextTab', 'open', 'pageDown', 'pageUp', 'top', 'trace', 'up']);
});
