import {createContext, useContext} from 'react';
import {UNICODE, type Symbols} from '../core/symbols.js';
import {DEFAULT_PALETTE, type Palette} from './palette.js';

/** How the terminal wants things drawn: glyph set and colour. */
export interface Ui {
	symbols: Symbols;
	ascii: boolean;
	color: boolean;
	/** Theme roles and colour names to what ink draws (the config file's [colors]). */
	palette?: Palette;
	/** Links are OSC 8 hyperlinks (core/terminal-env.ts wantsHyperlinks), else printed in full. */
	hyperlinks?: boolean;
}

export const UiContext = createContext<Ui>({symbols: UNICODE, ascii: false, color: true, palette: DEFAULT_PALETTE, hyperlinks: false});

export function useUi(): Ui {
	return useContext(UiContext);
}
