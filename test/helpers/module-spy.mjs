// Loaded with `node --import`: records every module the process loads into
// the file named by MODULE_SPY_FILE, so a test can see what a command loaded:
// ES modules as the loader resolves them (module-spy-hooks.mjs), CommonJS
// ones (better-sqlite3 is require()d, see store/open-database.ts) as they
// are compiled, each as a file: URL.
import fs from 'node:fs';
import Module, {register} from 'node:module';
import {pathToFileURL} from 'node:url';

register('./module-spy-hooks.mjs', import.meta.url);

const compile = Module.prototype._compile;
Module.prototype._compile = function (content, filename) {
	if (process.env.MODULE_SPY_FILE) {
		fs.appendFileSync(process.env.MODULE_SPY_FILE, `${pathToFileURL(filename).href}\n`);
	}

	return compile.call(this, content, filename);
};
