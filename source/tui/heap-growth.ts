import v8 from 'node:v8';

/**
 * How far V8 lets the heap grow past what the last full GC kept, in percent
 * (V8's --heap-growing-percent; its own default grows it up to 4x on a
 * machine with memory to spare).
 *
 * Why the console caps it (bench/rss.ts, rss.trace_screen_mb, 100,000 spans,
 * 120x40, measured): every frame ink rebuilds the whole screen (a cell object
 * per column and row, the ANSI of every line tokenized afresh), a few MB of
 * garbage per keypress whatever tracedeck draws, and some of it lives long
 * enough to reach the old generation. With the trace's model live, V8 then
 * lets the heap run to several times that before collecting: 325 MB peak
 * once open, 560-580 MB after 500 keys, though a full GC leaves far less.
 * At 30% the peak stayed under 300 MB through 500 keys and minutes live,
 * with the keypress frames within the bench's target (the old generation is
 * marked incrementally, off the frame mostly). Only the console sets it:
 * the one-shot commands finish before the heap grows much.
 */
export const HEAP_GROWING_PERCENT = 30;

/** Cap V8's heap growth for this process, before the trace is loaded. */
export function limitHeapGrowth(percent = HEAP_GROWING_PERCENT): void {
	v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
}
