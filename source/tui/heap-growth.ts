import v8 from 'node:v8';

/**
 * How far V8 lets the heap grow past what the last full GC kept, in percent
 * (V8's --heap-growing-percent; its own default grows it up to 4x on a
 * machine with memory to spare).
 *
 * Why the console caps it (bench/rss.ts, 100,000 spans, 120x40, j j j k,
 * measured): every frame ink rebuilds the whole screen (a cell object per
 * column and row, the ANSI of every line tokenized afresh), a few MB of
 * garbage per keypress whatever tracedeck draws, and some of it lives long
 * enough to reach the old generation. With the trace's model live, V8 then
 * lets the heap run to several times what a full GC keeps: 560-580 MB peak
 * after 300-500 keys. At 30% it stays at ~270-280 MB through 500 keys and
 * 5 minutes with a live run, and the keypress frames cost what a bare ink
 * app's do (CPU per key ~24-25 ms against its ~24 ms on the loaded bench
 * box). 15% took the peak of opening ~20 MB lower but each keypress ~5 ms
 * more (~20%, major GCs more often); --optimize-for-size did 243 MB but
 * slowed the open from ~9 s to 16 s. Only the console sets it: the one-shot
 * commands finish before the heap grows much.
 */
export const HEAP_GROWING_PERCENT = 30;

/** Cap V8's heap growth for this process, before the trace is loaded. */
export function limitHeapGrowth(percent = HEAP_GROWING_PERCENT): void {
	v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
}
