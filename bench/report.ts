import fs from 'node:fs';
import os from 'node:os';

/** How a figure is judged: against an absolute limit in its own unit, or against its baseline as a ratio. */
export type Target = {kind: 'abs'; op: '<=' | '>='; limit: number} | {kind: 'ratio'; op: '<=' | '>='; limit: number} | {kind: 'none'};

export type Verdict = 'PASS' | 'MISS' | 'INFO' | 'SKIP';

export interface Figure {
	/** Stable id for results.json, e.g. "ingest.spans_per_s". */
	id: string;
	label: string;
	unit: string;
	value: number | null;
	baseline: number | null;
	baselineLabel: string;
	target: Target;
	/** Free text: sizes, sample counts, why it was skipped. */
	note?: string;
}

export interface JudgedFigure extends Figure {
	ratio: number | null;
	verdict: Verdict;
}

export function judge(figure: Figure): JudgedFigure {
	const ratio = figure.value !== null && figure.baseline !== null && figure.baseline > 0 ? figure.value / figure.baseline : null;
	if (figure.value === null) {
		return {...figure, ratio, verdict: 'SKIP'};
	}

	if (figure.target.kind === 'none') {
		return {...figure, ratio, verdict: 'INFO'};
	}

	const measured = figure.target.kind === 'abs' ? figure.value : ratio;
	if (measured === null) {
		// A ratio target without a baseline cannot pass: the comparison it promises was not made.
		return {...figure, ratio, verdict: 'MISS', note: `${figure.note ? `${figure.note}; ` : ''}no baseline to take the ratio against`};
	}

	const met = figure.target.op === '<=' ? measured <= figure.target.limit : measured >= figure.target.limit;
	return {...figure, ratio, verdict: met ? 'PASS' : 'MISS'};
}

/** A skipped figure: kept in the table so a missing piece stays visible. */
export function skipped(id: string, label: string, reason: string, target: Target = {kind: 'none'}): Figure {
	return {id, label, unit: '', value: null, baseline: null, baselineLabel: '', target, note: reason};
}

function formatNumber(value: number): string {
	const abs = Math.abs(value);
	if (abs >= 100_000) {
		return Math.round(value).toLocaleString('en-US');
	}

	if (abs >= 100) {
		return value.toFixed(0);
	}

	if (abs >= 10) {
		return value.toFixed(1);
	}

	return value.toFixed(value === 0 ? 0 : abs < 0.1 ? 3 : 2);
}

function withUnit(value: number | null, unit: string): string {
	return value === null ? '-' : `${formatNumber(value)} ${unit}`.trim();
}

function formatTarget(figure: Figure): string {
	const {target} = figure;
	if (target.kind === 'none') {
		return '-';
	}

	const op = target.op === '<=' ? '≤' : '≥';
	return target.kind === 'ratio' ? `${op} ${target.limit}×` : `${op} ${formatNumber(target.limit)} ${figure.unit}`.trim();
}

function pad(cells: string[][]): string {
	const widths = cells[0]!.map((_, i) => Math.max(...cells.map(row => [...row[i]!].length)));
	return cells
		.map(row =>
			row
				.map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat(widths[i]! - [...cell].length)))
				.join('  ')
				.trimEnd(),
		)
		.join('\n');
}

export interface Environment {
	node: string;
	cores: number;
	cpu: string;
	platform: string;
	quick: boolean;
	/** The 1-minute load average when the run started. */
	load_1m_at_start: number;
	/** load_1m_at_start > cores: other work was competing for the CPUs, figures are noisier than usual. */
	noisy: boolean;
}

export function environment(quick: boolean): Environment {
	const cores = os.availableParallelism();
	const load = Math.round(os.loadavg()[0]! * 100) / 100;
	return {
		node: process.version,
		cores,
		cpu: os.cpus()[0]?.model ?? 'unknown',
		platform: `${os.platform()} ${os.release()}`,
		quick,
		load_1m_at_start: load,
		noisy: load > cores,
	};
}

/** Figures per verdict, every verdict present (0 when none). */
export function verdictCounts(figures: readonly JudgedFigure[]): Record<Verdict, number> {
	const counts: Record<Verdict, number> = {PASS: 0, MISS: 0, INFO: 0, SKIP: 0};
	for (const figure of figures) {
		counts[figure.verdict]++;
	}

	return counts;
}

/**
 * The summary under the table: verdict counts, then each MISS by name (so a
 * script's log says what failed), then the figures that cannot fail (INFO:
 * no target) so they stay visible until someone gives them one.
 */
export function formatSummary(figures: readonly JudgedFigure[]): string {
	const counts = verdictCounts(figures);
	const lines = [`verdicts: ${counts.PASS} PASS, ${counts.MISS} MISS, ${counts.INFO} INFO (no target), ${counts.SKIP} SKIP`];
	for (const figure of figures.filter(f => f.verdict === 'MISS')) {
		lines.push(`  MISS ${figure.id}: ${withUnit(figure.value, figure.unit)}, target ${formatTarget(figure)}${figure.ratio === null ? '' : ` (ratio ${figure.ratio.toFixed(2)}×)`}`);
	}

	for (const figure of figures.filter(f => f.verdict === 'INFO')) {
		lines.push(`  INFO ${figure.id}: no target`);
	}

	return lines.join('\n');
}

export function formatTable(figures: readonly JudgedFigure[]): string {
	const rows = [['figure', 'value', 'baseline', 'ratio', 'target', 'result']];
	for (const f of figures) {
		rows.push([f.label, withUnit(f.value, f.unit), f.baseline === null ? '-' : `${withUnit(f.baseline, f.unit)} (${f.baselineLabel})`, f.ratio === null ? '-' : `${f.ratio.toFixed(2)}×`, formatTarget(f), f.verdict]);
	}

	return pad(rows);
}

export function formatNotes(figures: readonly JudgedFigure[]): string {
	return figures
		.filter(f => f.note)
		.map(f => `  ${f.label}: ${f.note}`)
		.join('\n');
}

export interface ResultFigure {
	id: string;
	group: string;
	label: string;
	unit: string;
	value: number | null;
	baseline: number | null;
	baseline_label: string;
	ratio: number | null;
	target: Target;
	verdict: Verdict;
	note?: string;
	measured_at: string;
}

/** One group's last measurement: how long it took (the budget), when, and on how loaded a machine. */
export interface ResultGroup {
	elapsed_ms: number;
	measured_at: string;
	quick: boolean;
	load_1m_at_start: number;
}

export interface ResultsDocument {
	measured_at: string;
	environment: Environment;
	elapsed_ms: number;
	/** Groups measured in this run; the other figures were kept from an earlier run (BENCH_ONLY). */
	groups_measured: string[];
	/** Per group, this run's or the last run's that measured it. */
	groups: Record<string, ResultGroup>;
	/** Verdicts of all figures in the file (this run's and the kept ones). */
	verdicts: Record<Verdict, number>;
	figures: ResultFigure[];
}

export function toResult(group: string, figure: JudgedFigure, measuredAt: string): ResultFigure {
	return {
		id: figure.id,
		group,
		label: figure.label,
		unit: figure.unit,
		value: figure.value,
		baseline: figure.baseline,
		baseline_label: figure.baselineLabel,
		ratio: figure.ratio,
		target: figure.target,
		verdict: figure.verdict,
		...(figure.note ? {note: figure.note} : {}),
		measured_at: measuredAt,
	};
}

/**
 * Write results.json. A partial run (BENCH_ONLY) replaces only its own
 * groups' figures and keeps the rest from the file, each figure stamped with
 * when it (and its baseline, always measured with it) was taken.
 */
export function writeResults(file: string, document: Omit<ResultsDocument, 'verdicts'>, groupOrder: readonly string[]): void {
	let kept: ResultFigure[] = [];
	let keptGroups: Record<string, ResultGroup> = {};
	if (fs.existsSync(file)) {
		try {
			const previous = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<ResultsDocument>;
			kept = (previous.figures ?? []).filter(figure => typeof figure.group === 'string' && !document.groups_measured.includes(figure.group));
			keptGroups = Object.fromEntries(Object.entries(previous.groups ?? {}).filter(([group]) => !document.groups_measured.includes(group)));
		} catch {
			// An unreadable old file is simply replaced.
		}
	}

	const order = (group: string) => groupOrder.indexOf(group);
	const figures = [...kept, ...document.figures].sort((a, b) => order(a.group) - order(b.group));
	const groups = Object.fromEntries(Object.entries({...keptGroups, ...document.groups}).sort(([a], [b]) => order(a) - order(b)));
	const verdicts: Record<Verdict, number> = {PASS: 0, MISS: 0, INFO: 0, SKIP: 0};
	for (const figure of figures) {
		verdicts[figure.verdict]++;
	}

	fs.writeFileSync(file, `${JSON.stringify({...document, groups, verdicts, figures}, null, '\t')}\n`);
}
