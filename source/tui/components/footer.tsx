import type React from 'react';
import {footerHints, type ScreenKind} from '../keymap.js';
import {keyLabel} from '../key-label.js';
import {textWidth, type Line as LineType} from '../text.js';
import {useUi} from '../ui-context.js';
import {Line} from './line.js';

export interface FooterProps {
	screen: ScreenKind;
	width: number;
}

/** The keys that matter on this screen, from the keymap; as many as fit, "? help" always. */
export function Footer({screen, width}: FooterProps): React.JSX.Element {
	const {ascii} = useUi();
	const hints = footerHints(screen);
	const help = hints.find(h => h.text === 'help');
	const others = hints.filter(h => h !== help);
	const segments: LineType = [];
	let used = 0;
	const add = (key: string, text: string): boolean => {
		const label = keyLabel(key, ascii);
		const w = textWidth(label) + 1 + textWidth(text) + 2;
		if (used + w > width) {
			return false;
		}

		segments.push({text: label, bold: true, color: 'cyan'}, {text: ` ${text}  `});
		used += w;
		return true;
	};

	const reserve = help ? textWidth(keyLabel(help.key, ascii)) + 1 + textWidth(help.text) + 2 : 0;
	for (const hint of others) {
		if (used + textWidth(keyLabel(hint.key, ascii)) + textWidth(hint.text) + 3 + reserve > width) {
			break;
		}

		add(hint.key, hint.text);
	}

	if (help) {
		add(help.key, help.text);
	}

	return <Line segments={segments} width={width} />;
}
