#!/usr/bin/env node
// React's development build is several times slower; set this before anything loads it.
process.env.NODE_ENV ??= 'production';
const {main} = await import('../dist/source/cli.js');
process.exitCode = await main(process.argv.slice(2));
