// Preloaded with `node --require bench/peak-rss.cjs <script>`: on exit, writes
// the process's peak RSS (VmHWM, bytes) to the file named by PEAK_RSS_FILE, so a
// bench can measure a real command without changing it.
const fs = require('node:fs');

process.on('exit', () => {
	const file = process.env.PEAK_RSS_FILE;
	if (file) {
		const status = fs.readFileSync('/proc/self/status', 'utf8');
		const match = /VmHWM:\s+(\d+) kB/.exec(status);
		fs.writeFileSync(file, String(match ? Number(match[1]) * 1024 : process.resourceUsage().maxRSS * 1024));
	}
});
