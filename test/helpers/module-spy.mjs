// Loaded with `node --import`: records every module URL the process resolves
// into the file named by MODULE_SPY_FILE, so a test can see what a command loaded.
import {register} from 'node:module';

register('./module-spy-hooks.mjs', import.meta.url);
