import {createContext, useContext} from 'react';
import {UNICODE, type Symbols} from '../core/symbols.js';

/** How the terminal wants things drawn: glyph set and colour. */
export interface Ui {
	symbols: Symbols;
	ascii: boolean;
	color: boolean;
}

export const UiContext = createContext<Ui>({symbols: UNICODE, ascii: false, color: true});

export function useUi(): Ui {
	return useContext(UiContext);
}
