#!/usr/bin/env node
// React's development build is several times slower; set this before anything loads it.
process.env.NODE_ENV ??= 'production';
// `tracedeck runs tail <run> | head`: the reader stopped reading, which is not an error.
process.stdout.on('error', error => {
	if (error.code === 'EPIPE') {
		process.exit(0);
	}

	throw error;
});
const {main} = await import('../dist/cli.js');
process.exitCode = await main(process.argv.slice(2));
