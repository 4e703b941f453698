/**
 * A small strict parser of the Prometheus text exposition format (0.0.4), for
 * tests: it throws on anything a Prometheus server would reject or that is
 * malformed by the format's rules (bad names, bad escapes, samples before
 * their TYPE, a family split in two, duplicate series, histograms whose
 * buckets are not cumulative or whose +Inf bucket differs from _count).
 */

export interface Sample {
	name: string;
	labels: Record<string, string>;
	value: number;
}

export interface Family {
	name: string;
	type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
	help: string;
	samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

function parseValue(text: string, line: number): number {
	if (text === '+Inf' || text === 'Inf') {
		return Number.POSITIVE_INFINITY;
	}

	if (text === '-Inf') {
		return Number.NEGATIVE_INFINITY;
	}

	if (text === 'NaN') {
		return Number.NaN;
	}

	if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) {
		throw new Error(`line ${line}: bad value "${text}"`);
	}

	return Number(text);
}

/** Parse `{a="x",b="y"}` starting at `i` (the "{"); returns the labels and the index after "}". */
function parseLabels(text: string, start: number, line: number): {labels: Record<string, string>; end: number} {
	const labels: Record<string, string> = {};
	let i = start + 1;
	while (true) {
		if (text[i] === '}') {
			return {labels, end: i + 1};
		}

		const eq = text.indexOf('=', i);
		if (eq === -1) {
			throw new Error(`line ${line}: unterminated labels`);
		}

		const name = text.slice(i, eq);
		if (!LABEL_NAME.test(name)) {
			throw new Error(`line ${line}: bad label name "${name}"`);
		}

		if (name in labels) {
			throw new Error(`line ${line}: label "${name}" given twice`);
		}

		if (text[eq + 1] !== '"') {
			throw new Error(`line ${line}: label value must be quoted`);
		}

		let value = '';
		let j = eq + 2;
		for (; j < text.length && text[j] !== '"'; j++) {
			if (text[j] === '\\') {
				const next = text[j + 1];
				if (next === '\\' || next === '"') {
					value += next;
				} else if (next === 'n') {
					value += '\n';
				} else {
					throw new Error(`line ${line}: bad escape \\${next ?? ''} in label value`);
				}

				j++;
			} else {
				value += text[j];
			}
		}

		if (j >= text.length) {
			throw new Error(`line ${line}: unterminated label value`);
		}

		labels[name] = value;
		i = j + 1;
		if (text[i] === ',') {
			i++;
		} else if (text[i] !== '}') {
			throw new Error(`line ${line}: expected , or } after a label`);
		}
	}
}

function familyOf(sampleName: string, families: Map<string, Family>): Family | undefined {
	for (const suffix of ['', '_bucket', '_sum', '_count']) {
		if (suffix === '' || sampleName.endsWith(suffix)) {
			const family = families.get(suffix === '' ? sampleName : sampleName.slice(0, -suffix.length));
			if (family && (suffix === '' || family.type === 'histogram' || family.type === 'summary')) {
				return family;
			}
		}
	}

	return undefined;
}

function checkHistogram(family: Family): void {
	const groups = new Map<string, {buckets: Array<[number, number]>; sum?: number; count?: number}>();
	for (const sample of family.samples) {
		const {le, ...rest} = sample.labels;
		const key = JSON.stringify(Object.entries(rest).sort());
		const group = groups.get(key) ?? {buckets: []};
		groups.set(key, group);
		if (sample.name === `${family.name}_bucket`) {
			if (le === undefined) {
				throw new Error(`${family.name}: a bucket without le`);
			}

			group.buckets.push([parseValue(le, 0), sample.value]);
		} else if (sample.name === `${family.name}_sum`) {
			group.sum = sample.value;
		} else if (sample.name === `${family.name}_count`) {
			group.count = sample.value;
		} else {
			throw new Error(`${family.name}: unexpected sample ${sample.name}`);
		}
	}

	for (const [key, group] of groups) {
		const sorted = [...group.buckets].sort((a, b) => a[0] - b[0]);
		for (let i = 1; i < sorted.length; i++) {
			if (sorted[i]![1] < sorted[i - 1]![1]) {
				throw new Error(`${family.name}${key}: buckets are not cumulative`);
			}
		}

		const inf = sorted.at(-1);
		if (!inf || inf[0] !== Number.POSITIVE_INFINITY) {
			throw new Error(`${family.name}${key}: no +Inf bucket`);
		}

		if (group.count === undefined || group.sum === undefined) {
			throw new Error(`${family.name}${key}: _sum or _count missing`);
		}

		if (inf[1] !== group.count) {
			throw new Error(`${family.name}${key}: +Inf bucket ${inf[1]} differs from _count ${group.count}`);
		}
	}
}

export function parsePrometheusText(text: string): Map<string, Family> {
	const families = new Map<string, Family>();
	const seen = new Set<string>();
	const closed = new Set<string>();
	let current: Family | undefined;
	const lines = text.split('\n');
	if (lines.at(-1) !== '') {
		throw new Error('the exposition must end with a newline');
	}

	lines.forEach((raw, i) => {
		const line = i + 1;
		if (raw.trim() === '') {
			return;
		}

		const meta = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(raw);
		if (meta) {
			const [, kind, name, rest = ''] = meta;
			if (!METRIC_NAME.test(name!)) {
				throw new Error(`line ${line}: bad metric name "${name}"`);
			}

			let family = families.get(name!);
			if (!family) {
				if (current) {
					closed.add(current.name);
				}

				family = {name: name!, type: 'untyped', help: '', samples: []};
				families.set(name!, family);
				current = family;
			} else if (family !== current || family.samples.length > 0) {
				throw new Error(`line ${line}: ${kind} for ${name} after its samples or in a second block`);
			}

			if (kind === 'TYPE') {
				if (!TYPES.has(rest)) {
					throw new Error(`line ${line}: unknown type "${rest}"`);
				}

				family.type = rest as Family['type'];
			} else {
				family.help = rest;
			}

			return;
		}

		if (raw.startsWith('#')) {
			return;
		}

		const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(raw);
		if (!nameMatch) {
			throw new Error(`line ${line}: bad sample "${raw}"`);
		}

		const name = nameMatch[0];
		let rest = raw.slice(name.length);
		let labels: Record<string, string> = {};
		if (rest.startsWith('{')) {
			const parsed = parseLabels(raw, name.length, line);
			labels = parsed.labels;
			rest = raw.slice(parsed.end);
		}

		const parts = rest.trim().split(/\s+/);
		if (!rest.startsWith(' ') || parts.length < 1 || parts.length > 2) {
			throw new Error(`line ${line}: expected "<name>{labels} <value> [timestamp]"`);
		}

		const value = parseValue(parts[0]!, line);
		const family = familyOf(name, families);
		if (!family) {
			throw new Error(`line ${line}: sample ${name} has no TYPE before it`);
		}

		if (family !== current || closed.has(family.name)) {
			throw new Error(`line ${line}: sample ${name} outside its family's block`);
		}

		const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
		if (seen.has(key)) {
			throw new Error(`line ${line}: duplicate series ${key}`);
		}

		seen.add(key);
		family.samples.push({name, labels, value});
	});

	for (const family of families.values()) {
		if (family.type === 'histogram') {
			checkHistogram(family);
		}
	}

	return families;
}

/** The value of one series, or undefined. */
export function sampleValue(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number | undefined {
	for (const family of families.values()) {
		for (const sample of family.samples) {
			if (sample.name === name && JSON.stringify(Object.entries(sample.labels).sort()) === JSON.stringify(Object.entries(labels).sort())) {
				return sample.value;
			}
		}
	}

	return undefined;
}
