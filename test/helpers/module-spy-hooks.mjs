import fs from 'node:fs';

export async function resolve(specifier, context, next) {
	const result = await next(specifier, context);
	if (process.env.MODULE_SPY_FILE) {
		fs.appendFileSync(process.env.MODULE_SPY_FILE, `${result.url}\n`);
	}

	return result;
}
