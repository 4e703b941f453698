import assert from 'node:assert/strict';
import {test} from 'node:test';
import fc from 'fast-check';
import {CIRCULAR_MARKER, createRedactor, isRedactedMarker, redactCommandWords, redactData, redactedMarker, redactEvent, redactForStore, redactLines, redactText, secretKeyMatcher, toRedactedJson} from '../../source/core/redact.js';

// ---------------------------------------------------------------------------
// Secret keys at any depth (from test/emit/redact.test.ts)

test('secret keys are redacted at any depth, with the length of the original value', () => {
	const data = {
		user: 'ada',
		password: 'hunter2',
		nested: {apiKey: 'k-123456', list: [{token: 'abc'}, {ok: 1, Authorization: 'Bearer xyz'}]},
		creditCard: 4111111111111111,
		SSN: '123-45-6789',
		client_secret: '',
	};
	const out = redactData(data);
	assert.deepEqual(out, {
		user: 'ada',
		password: '<redacted:7chars>',
		nested: {apiKey: '<redacted:8chars>', list: [{token: '<redacted:3chars>'}, {ok: 1, Authorization: '<redacted:10chars>'}]},
		creditCard: '<redacted:16chars>',
		SSN: '<redacted:11chars>',
		client_secret: '<redacted:0chars>',
	});
	assert.equal(data.password, 'hunter2', 'the input is left alone');
});

test('a secret key hides its whole value, objects included (NN is the length of its JSON); null stays null', () => {
	const out = redactData({credentials: {user: 'u', pass: 'p'}, password: null, token: undefined});
	assert.equal(out['credentials'], redactedMarker({user: 'u', pass: 'p'}));
	// {"user":"u","pass":"p"} is 23 characters: what was removed, not "[object Object]".
	assert.equal(out['credentials'], '<redacted:23chars>');
	assert.equal(out['password'], null);
	assert.equal('token' in out, false, 'undefined is dropped, as JSON would');
});

test('extra keys are matched like the built-in ones (case and separators ignored)', () => {
	const isSecret = secretKeyMatcher(['session-id', 'PIN']);
	assert.equal(isSecret('X-Session-Id'), true);
	assert.equal(isSecret('sessionid'), true);
	assert.equal(isSecret('card_pin'), true);
	assert.equal(isSecret('password'), true);
	assert.equal(isSecret('name'), false);
	const out = redactData({sessionId: 'abcd', cardPin: 1234, name: 'x'}, {extraKeys: ['session_id', 'pin']});
	assert.deepEqual(out, {sessionId: '<redacted:4chars>', cardPin: '<redacted:4chars>', name: 'x'});
});

test('values JSON cannot hold are made plain: cycles, BigInt, Error, Map, Set, toJSON, non-finite numbers', () => {
	const cyclic: Record<string, unknown> = {a: 1};
	cyclic['self'] = cyclic;
	const shared = {x: 1};
	const error = new TypeError('boom');
	const out = redactData({
		cyclic,
		shared: [shared, shared],
		big: 10n ** 20n,
		error,
		map: new Map<unknown, unknown>([
			['k', 1],
			['password', 'p4ss'],
		]),
		set: new Set([1, 2]),
		date: new Date('2025-01-01T00:00:00.000Z'),
		nan: Number.NaN,
		fn: () => 1,
		arr: [undefined, () => 1, 3],
	});
	assert.deepEqual(out['cyclic'], {a: 1, self: CIRCULAR_MARKER});
	assert.deepEqual(out['shared'], [{x: 1}, {x: 1}], 'a shared (not cyclic) object is copied twice');
	assert.equal(out['big'], '100000000000000000000');
	const e = out['error'] as Record<string, unknown>;
	assert.equal(e['name'], 'TypeError');
	assert.equal(e['message'], 'boom');
	assert.match(String(e['stack']), /boom/);
	assert.deepEqual(out['map'], {k: 1, password: '<redacted:4chars>'});
	assert.deepEqual(out['set'], [1, 2]);
	assert.equal(out['date'], '2025-01-01T00:00:00.000Z');
	assert.equal(out['nan'], null);
	assert.equal('fn' in out, false);
	assert.deepEqual(out['arr'], [null, null, 3]);
	assert.doesNotThrow(() => JSON.stringify(out));
});

test('a "__proto__" key stays a plain member and does not change the prototype', () => {
	const input = JSON.parse('{"__proto__": {"polluted": true, "secret": "s"}}') as Record<string, unknown>;
	const out = redactData(input);
	assert.equal(Object.getPrototypeOf(out), Object.prototype);
	assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
	assert.deepEqual(JSON.parse(JSON.stringify(out)), JSON.parse('{"__proto__": {"polluted": true, "secret": "<redacted:1chars>"}}'));
});

test('a throwing getter, toJSON, toString or Proxy trap does not fail the copy (issue 15: one marker threw on a broken toString)', () => {
	const brokenToString = {
		toString() {
			throw new Error('no string');
		},
	};
	const hostile = new Proxy(
		{},
		{
			ownKeys() {
				throw new Error('no keys');
			},
		},
	);
	const revocable = Proxy.revocable([], {});
	revocable.revoke();
	const out = redactData({
		get bad(): string {
			throw new Error('nope');
		},
		odd: {
			toJSON() {
				throw new Error('no json');
			},
		},
		password: brokenToString,
		token: Symbol('s'),
		hostile,
		revoked: revocable.proxy,
	});
	assert.equal(out['bad'], '[unreadable: nope]');
	assert.equal(out['odd'], '[unserializable: no json]');
	// Its JSON form is {} (toString is a function, dropped): 2 characters.
	assert.equal(out['password'], '<redacted:2chars>');
	assert.equal(out['token'], '<redacted:9chars>', 'Symbol(s) is 9 characters');
	assert.deepEqual(out['hostile'], {error: '[unreadable: no keys]'});
	assert.match(String(out['revoked']), /^\[un(?:readable|serializable): /);
	assert.doesNotThrow(() => redactedMarker(brokenToString));
});

test('a 10,000-deep object is redacted without a stack overflow and cut to a depth JSON.stringify can take', () => {
	let deep: Record<string, unknown> = {password: 'bottom-secret-value'};
	for (let i = 0; i < 10_000; i++) {
		deep = i === 9_995 ? {token: 'near-top-secret', next: deep} : {next: deep};
	}

	const out = redactData({deep});
	const text = JSON.stringify(out);
	assert.doesNotMatch(text, /bottom-secret-value|near-top-secret/);
	assert.match(text, /<redacted:15chars>/);
	assert.match(text, /\[truncated: nested deeper than 100 levels\]/);

	// With a larger bound the whole depth is walked iteratively (JSON.stringify could not print it, so walk it).
	let node = toRedactedJson({deep}, {maxDepth: 20_000}) as Record<string, unknown>;
	let depth = 0;
	while (node['deep'] ?? node['next']) {
		node = (node['deep'] ?? node['next']) as Record<string, unknown>;
		depth++;
	}

	assert.equal(depth, 10_001);
	assert.equal(node['password'], '<redacted:19chars>');
});

test('a very wide array is copied without recursion trouble', () => {
	const wide = Array.from({length: 100_000}, (_, i) => ({i, secret: `s${i}`}));
	const out = redactData({wide});
	const list = out['wide'] as Array<Record<string, unknown>>;
	assert.equal(list.length, 100_000);
	assert.equal(list[99_999]!['secret'], '<redacted:6chars>');
});

// ---------------------------------------------------------------------------
// Command lines (from test/emit/command-redaction.test.ts)

test('secret-named options and variables are redacted in a command line', () => {
	assert.deepEqual(redactCommandWords(['deploy', '--token=abc123', '--password', 'pw', '--verbose', 'API_KEY=k1', '-v', '--name', 'api']), ['deploy', '--token=<redacted:6chars>', '--password', '<redacted:2chars>', '--verbose', 'API_KEY=<redacted:2chars>', '-v', '--name', 'api']);
	assert.deepEqual(redactCommandWords(['--secret', '--force']), ['--secret', '--force'], 'a flag after a secret flag is no value');
	assert.equal(redactText('DB_PASSWORD=s3cret npm run migrate -- --auth-token  xyz'), 'DB_PASSWORD=<redacted:6chars> npm run migrate -- --auth-token  <redacted:3chars>');
});

test('secrets (issue 14.6): mysql -p<password>, sshpass -p, --password=, PASSWORD=... cmd, in argv and in one shell string', () => {
	assert.deepEqual(redactCommandWords(['mysql', '-uroot', '-pS3cret', 'shop']), ['mysql', '-uroot', '-p<redacted:6chars>', 'shop']);
	assert.deepEqual(redactCommandWords(['/usr/bin/mysqldump', '-p', 'shop']), ['/usr/bin/mysqldump', '-p', 'shop'], '-p alone prompts: the next word is the database');
	assert.deepEqual(redactCommandWords(['sshpass', '-p', 'hunter2', 'ssh', 'host']), ['sshpass', '-p', '<redacted:7chars>', 'ssh', 'host']);
	assert.deepEqual(redactCommandWords(['tar', '-pcf', 'x.tar']), ['tar', '-pcf', 'x.tar'], 'not mysql: -p is a flag');
	assert.equal(redactText("mysql -h db -u app -p'pa ss' shop"), 'mysql -h db -u app -p<redacted:7chars> shop');
	assert.equal(redactText('mysqldump --password=abc shop'), 'mysqldump --password=<redacted:3chars> shop');
	assert.equal(redactText('PGPASSWORD=pw psql -h db'), 'PGPASSWORD=<redacted:2chars> psql -h db');
	assert.equal(redactText('deploy --token "a b" --verbose'), 'deploy --token "<redacted:3chars>" --verbose');
});

// ---------------------------------------------------------------------------
// Secrets inside values

test('secrets (issue 14.6): credentials inside text are found, the text around them kept', () => {
	// Each expected NN counted by hand from the secret's characters.
	const cases: Array<[string, string]> = [
		['Authorization: Bearer abc.def-123', 'Authorization: Bearer <redacted:11chars>'],
		['curl -H "Authorization: Basic dXNlcjpwYXNz" https://x', 'curl -H "Authorization: Basic <redacted:12chars>" https://x'],
		['{"authorization":"Bearer tok3n"}', '{"authorization":"Bearer <redacted:5chars>"}'],
		['sent Bearer eyJhbG.x-y_z', 'sent Bearer <redacted:12chars>'],
		['Basic dXNlcjpwYXNz', 'Basic <redacted:12chars>'],
		['Basic information', 'Basic information'],
		['X-Api-Key: abc123', 'X-Api-Key: <redacted:6chars>'],
		['Cookie: session=abc; other=1', 'Cookie: <redacted:20chars>'],
		['connecting to postgres://app:s3cr3t@db.internal:5432/prod', 'connecting to postgres://app:<redacted:6chars>@db.internal:5432/prod'],
		['redis://:hunter2@cache:6379', 'redis://:<redacted:7chars>@cache:6379'],
		['https://user@host/path?x=1', 'https://user@host/path?x=1'],
		['GET https://api/reset?token=abc&user=1', 'GET https://api/reset?token=<redacted:3chars>&user=1'],
		['AKIAIOSFODNN7EXAMPLE is the key id', 'AKIA<redacted:16chars> is the key id'],
		['aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'aws_secret_access_key = <redacted:40chars>'],
		['token ghp_0123456789abcdefghijABCDEFGHIJ012345 used', 'token ghp_<redacted:36chars> used'],
		['github_pat_11ABCDEFG0123456789_abcdefghij', 'github_pat_<redacted:30chars>'],
		['xoxb-1234567890-abcdefghij', 'xoxb-<redacted:21chars>'],
		['sk_live_4eC39HqLyjWDarjtT1zdp7dc', 'sk_live_<redacted:24chars>'],
		['rk_live_4eC39HqLyjWDarjtT1zdp7dc', 'rk_live_<redacted:24chars>'],
		['glpat-abcdefghij0123456789', 'glpat-<redacted:20chars>'],
		['npm_abcdefghijklmnopqrstuvwxyz0123456789', 'npm_<redacted:36chars>'],
		['key=AIzaSyA-1234567890abcdefghijklmnopqrstu', 'key=AIza<redacted:35chars>'],
		['jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.sig-nature_x', 'jwt <redacted:53chars>'],
		['"1": "@env(API_TOKEN) → abcdef", "2": "@var(REPLICAS) → 3"', '"1": "@env(API_TOKEN) → <redacted:6chars>", "2": "@var(REPLICAS) → 3"'],
		['@env(REGION) → eu-west-1', '@env(REGION) → eu-west-1'],
		['{"user":"ada","password":"hunter2","n":1}', '{"user":"ada","password":"<redacted:7chars>","n":1}'],
		[String.raw`{\"password\":\"hunter2\"}`, String.raw`{\"password\":\"<redacted:7chars>\"}`],
		['Server=db;User Id=app;Password=p@ss;', 'Server=db;User Id=app;Password=<redacted:4chars>;'],
		['token: Bearer abc', 'token: <redacted:10chars>'],
		['nothing to see here: ok', 'nothing to see here: ok'],
	];
	for (const [input, expected] of cases) {
		assert.equal(redactText(input), expected, input);
	}
});

test('secrets (issue 14.6): private key blocks, whole, cut short, in escaped JSON (a GCP service-account key) and over lines', () => {
	const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEabc\n-----END RSA PRIVATE KEY-----';
	// The body "\nMIIEabc\n" is 9 characters.
	assert.equal(redactText(`key: ${pem} done`), 'key: -----BEGIN RSA PRIVATE KEY-----<redacted:9chars>-----END RSA PRIVATE KEY----- done');
	assert.equal(redactText('-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNz'), '-----BEGIN OPENSSH PRIVATE KEY-----<redacted:9chars>');
	const serviceAccount = JSON.stringify({type: 'service_account', private_key_id: 'a1b2', private_key: '-----BEGIN PRIVATE KEY-----\nMIIEvQ\n-----END PRIVATE KEY-----\n', client_email: 'ci@p.iam.gserviceaccount.com'});
	const text = redactText(`loaded ${serviceAccount}`);
	assert.doesNotMatch(text, /MIIEvQ|a1b2/);
	assert.match(text, /ci@p\.iam\.gserviceaccount\.com/);
	assert.deepEqual(redactLines(['starting', '-----BEGIN PRIVATE KEY-----', 'MIIEvQIB', 'abcd', '-----END PRIVATE KEY-----', 'after token=x']), ['starting', '-----BEGIN PRIVATE KEY-----', '<redacted:8chars>', '<redacted:4chars>', '-----END PRIVATE KEY-----', 'after token=<redacted:1chars>']);
});

test('secrets (issue 14.6): card numbers that pass Luhn, 13 to 19 digits with spaces or dashes; ids, times and other numbers stay', () => {
	// 4111 1111 1111 1111 passes Luhn (the classic test Visa); 4111 1111 1111 1112 does not.
	assert.equal(redactText('card 4111 1111 1111 1111 exp 12/26'), 'card <redacted:19chars> exp 12/26');
	assert.equal(redactText('card 4111-1111-1111-1111'), 'card <redacted:19chars>');
	assert.equal(redactText('n=4111111111111111'), 'n=<redacted:16chars>');
	assert.equal(redactText('amex 3782 822463 10005'), 'amex <redacted:17chars>');
	assert.equal(redactText('card 4111 1111 1111 1111 2026'), 'card <redacted:19chars> 2026', 'a year after the card is not part of it');
	assert.equal(redactText('card 4111 1111 1111 1112'), 'card 4111 1111 1111 1112');
	// 20260101120000 passes Luhn, but printed as a date and a time it is a run id's, not a card.
	assert.equal(redactText('run-20260101-120000-abc1234'), 'run-20260101-120000-abc1234');
	assert.equal(redactText('ts 1767225600000 and 2026-03-02 10:00:02 and 0.4111111111111111'), 'ts 1767225600000 and 2026-03-02 10:00:02 and 0.4111111111111111');
	assert.equal(redactText('id a4111111111111111b'), 'id a4111111111111111b');
	const data = redactData({card: 4111111111111111, at: 1767225600000, count: 42, span_id: '4111111111111111', trace_id: '4111111111111111'});
	assert.deepEqual(data, {card: '<redacted:16chars>', at: 1767225600000, count: 42, span_id: '4111111111111111', trace_id: '4111111111111111'});
});

test('a number is judged by the digits it prints as, as its own text would be: past 16 digits and with a sign too (found by the OTLP round trip)', () => {
	// -350776544143939260 prints as 18 digits that pass Luhn: as text ("error": "-3507…") they were redacted, as a number they were not.
	assert.equal(redactText('-350776544143939260'), '-<redacted:18chars>');
	assert.deepEqual(redactData({n: -350776544143939260, m: -4111111111111111, big: 1e21, neg: -1767225600000}), {n: '<redacted:19chars>', m: '<redacted:17chars>', big: 1e21, neg: -1767225600000});
});

test('secrets (issue 14.6): configurable extra keys and patterns, also inside text; a bad pattern is a TypeError', () => {
	const options = {extraKeys: ['tenant_key'], extraPatterns: [/corp-[a-z0-9]{8}/, String.raw`x-internal: (\S+)`, /ref=(?<secret>\d+)!/]};
	assert.equal(redactText('use corp-abcd1234 now', options), 'use <redacted:13chars> now');
	assert.equal(redactText('x-internal: s3cr3t', options), 'x-internal: <redacted:6chars>');
	assert.equal(redactText('ref=123! ok', options), 'ref=<redacted:3chars>! ok');
	assert.equal(redactText('tenantKey=abc', options), 'tenantKey=<redacted:3chars>');
	assert.deepEqual(redactData({TENANT_KEY: 'k', note: 'corp-abcd1234'}, options), {TENANT_KEY: '<redacted:1chars>', note: '<redacted:13chars>'});
	assert.throws(
		() => createRedactor({extraPatterns: ['(unclosed']}),
		(error: Error) => error instanceof TypeError && /extraPatterns\[0\]/.test(error.message),
	);
	// An empty match never loops or nests.
	assert.equal(redactText('abc', {extraPatterns: [/x*/]}), 'abc');
});

test('secrets (issue 14.6): an event keeps its ids, type and time; data and tags are redacted; the store bound keeps deep data the edges accept', () => {
	const event = {trace_id: 't1', span_id: 's1', event_type: 'step:started', timestamp: '2026-03-02T10:00:00.000Z', data: {name: 'psql postgres://a:pw@h/db', password: 'x'}, tags: ['token=abc', 'plain']};
	assert.deepEqual(redactEvent(event), {...event, data: {name: 'psql postgres://a:<redacted:2chars>@h/db', password: '<redacted:1chars>'}, tags: ['token=<redacted:3chars>', 'plain']});
	assert.equal(event.data.password, 'x', 'the input is left alone');
	let deep: Record<string, unknown> = {leaf: 1};
	for (let i = 0; i < 300; i++) {
		deep = {next: deep};
	}

	const [stored] = redactForStore([{...event, data: {deep}}]);
	assert.doesNotMatch(JSON.stringify(stored), /truncated/, '300 levels are kept by the store');
	const plain = {trace_id: 't', span_id: 's', event_type: 'x', timestamp: '2026-03-02T10:00:00.000Z', data: {a: [1, 'two', {b: null}], n: 0.5}};
	assert.equal(JSON.stringify(redactForStore([plain])[0]), JSON.stringify(plain), 'an event without secrets serializes byte for byte as it came');
});

test('secrets (issue 14.6): work stays linear on long hostile strings', () => {
	// Each of these would backtrack quadratically under a careless pattern; 400 KB each.
	const hostile = ['a.', '-p', 'password=', '1 ', 'eyJ', '-----BEGIN PRIVATE KEY-----', ':', '@(', 'x://', 'Bearer ', '4111 ', '"token":"'].map(unit => unit.repeat(400_000 / unit.length));
	for (const text of hostile) {
		const once = redactText(`mysql sshpass ${text}`);
		assert.equal(redactText(once), once);
	}
});

// ---------------------------------------------------------------------------
// Properties

/** Pieces that make the rules fire, meet and overlap. */
const FRAGMENT = fc.constantFrom(
	'password',
	'token',
	'Authorization',
	'authorization',
	'Cookie',
	'=',
	':',
	' ',
	'  ',
	'"',
	'\\"',
	"'",
	'\\',
	'&',
	',',
	';',
	'\n',
	'-',
	'Bearer',
	'Basic',
	'dXNlcjpwYXNz',
	'://',
	'@',
	'postgres://u:p@h',
	'-p',
	'mysql',
	'sshpass',
	'--token',
	'--password=',
	'PASSWORD=',
	'4111111111111111',
	'4111 1111 1111 1111',
	'4111-',
	'ghp_0123456789abcdefghijABCDEFGHIJ012345',
	'ghp_',
	'AKIAIOSFODNN7EXAMPLE',
	'AKIA',
	'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.sig',
	'eyJ',
	'-----BEGIN PRIVATE KEY-----',
	'-----END PRIVATE KEY-----',
	'PRIVATE KEY',
	'@env(API_TOKEN) → ',
	'@env(',
	') → ',
	'<redacted:3chars>',
	'<redacted:',
	'chars>',
	'x',
	'1',
	'é',
	'→',
);
const TEXTY = fc.array(fc.oneof(FRAGMENT, fc.string({maxLength: 6})), {maxLength: 24}).map(parts => parts.join(''));
const VALUE = fc.letrec(tie => ({
	value: fc.oneof({depthSize: 'small'}, TEXTY, fc.jsonValue({maxDepth: 2}), fc.array(tie('value'), {maxLength: 4}), fc.dictionary(fc.oneof(FRAGMENT, fc.string({maxLength: 8})), tie('value'), {maxKeys: 4})),
})).value;

test('secrets (issue 14.6), property: redaction is idempotent and never throws, on text built to make rules meet and on any JSON', () => {
	fc.assert(
		fc.property(TEXTY, text => {
			const once = redactText(text);
			assert.equal(redactText(once), once);
		}),
		{numRuns: 3000},
	);
	fc.assert(
		fc.property(VALUE, value => {
			const once = toRedactedJson(value);
			assert.deepEqual(toRedactedJson(once), once);
			assert.doesNotThrow(() => JSON.stringify(once));
		}),
		{numRuns: 1500},
	);
	fc.assert(
		fc.property(fc.anything({withBigInt: true, withMap: true, withSet: true, withDate: true, withTypedArray: true, withSparseArray: true, withBoxedValues: true, withNullPrototype: true, withObjectString: true}), value => {
			const once = toRedactedJson({value});
			assert.deepEqual(toRedactedJson(once), once);
		}),
		{numRuns: 800},
	);
});

test("secrets (issue 14.6), property: a marker is never redacted again or nested: the input's markers are all in the output, in order", () => {
	const markers = (text: string): string[] => text.match(/<redacted:\d{1,15}chars>/g) ?? [];
	fc.assert(
		fc.property(TEXTY, text => {
			const out = markers(redactText(text));
			let at = 0;
			for (const marker of markers(text)) {
				at = out.indexOf(marker, at);
				assert.notEqual(at, -1, `${marker} was lost from ${text}`);
				at++;
			}
		}),
		{numRuns: 2000},
	);
});

/** A secret no rule could find elsewhere in the generated text: letters and digits after "Zq9". */
const SECRET = fc.string({unit: fc.constantFrom(...'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789'), minLength: 12, maxLength: 24}).map(tail => `Zq9${tail}`);

/** A Luhn-valid 16-digit card number starting with 4: 15 random digits and the check digit worked out. */
const CARD = fc.array(fc.integer({min: 0, max: 9}), {minLength: 14, maxLength: 14}).map(digits => {
	const body = [4, ...digits];
	let sum = 0;
	for (let i = body.length - 1, double = true; i >= 0; i--, double = !double) {
		let d = body[i]! * (double ? 2 : 1);
		if (d > 9) {
			d -= 9;
		}

		sum += d;
	}

	return `${body.join('')}${(10 - (sum % 10)) % 10}`;
});

const PLANTED: Array<(secret: string) => string> = [
	s => `password=${s}`,
	s => `"token": "${s}"`,
	s => `--password ${s}`,
	s => `Authorization: Bearer ${s}`,
	s => `Bearer ${s}`,
	s => `Authorization: Basic ${btoa(`ci:${s}`)}`,
	s => `postgres://app:${s}@db:5432/prod`,
	s => `mysql -u root -p${s} shop`,
	s => `@env(API_TOKEN) → ${s}`,
	s => `X-Api-Key: ${s}`,
	s => `-----BEGIN PRIVATE KEY-----\n${s}\n-----END PRIVATE KEY-----`,
];

test('secrets (issue 14.6), property: a planted secret never survives, in text with anything around it or under a secret key at any depth', () => {
	const noise = fc.string({maxLength: 20});
	fc.assert(
		fc.property(SECRET, fc.integer({min: 0, max: PLANTED.length - 1}), noise, noise, (secret, form, before, after) => {
			const planted = PLANTED[form]!(secret);
			const out = redactText(`${before} ${planted} ${after}`);
			// A Basic credential hides the secret in base64: check both forms.
			assert.ok(!out.includes(secret) && !out.includes(btoa(`ci:${secret}`)), `${planted} -> ${out}`);
		}),
		{numRuns: 3000},
	);
	fc.assert(
		fc.property(CARD, noise, noise, (card, before, after) => {
			const out = redactText(`${before} ${card} ${after}`);
			assert.ok(!out.includes(card), `${card} -> ${out}`);
		}),
		{numRuns: 1000},
	);
	fc.assert(
		fc.property(SECRET, VALUE, fc.constantFrom('password', 'apiKey', 'X-Auth-Token', 'client_secret', 'privateKey'), fc.integer({min: 0, max: 6}), (secret, around, key, depth) => {
			let value: unknown = {[key]: secret, around};
			for (let i = 0; i < depth; i++) {
				value = i % 2 === 0 ? {nested: value} : [value];
			}

			assert.ok(!JSON.stringify(toRedactedJson(value)).includes(secret));
		}),
		{numRuns: 1000},
	);
});

test('isRedactedMarker: exactly one marker', () => {
	assert.equal(isRedactedMarker('<redacted:12chars>'), true);
	assert.equal(isRedactedMarker('x<redacted:12chars>'), false);
	assert.equal(isRedactedMarker(12), false);
});

test('a redactor remembers short texts and keys it judged (serve judges the same ones on every event): the answers are the ones it gives afresh, past its memory and for long texts', () => {
	const remembering = createRedactor();
	// More distinct texts than it remembers (8192), secrets among them, some past the remembered length (512).
	const texts = Array.from({length: 9000}, (_, i) => (i % 3 === 0 ? `curl -H "Authorization: Bearer abc${i}def0123456789" https://x` : i % 7 === 0 ? `${'long '.repeat(120)}password=hunter${i}` : `value ${i}`));
	const keys = Array.from({length: 9000}, (_, i) => (i % 5 === 0 ? `db_password_${i}` : `attr_${i}`));
	const first = texts.map(text => remembering.text(text));
	const firstKeys = keys.map(key => remembering.isSecretKey(key));
	assert.deepEqual(
		texts.map(text => remembering.text(text)),
		first,
		'asked again, after its memory started afresh',
	);
	assert.deepEqual(
		keys.map(key => remembering.isSecretKey(key)),
		firstKeys,
	);
	for (let i = 0; i < texts.length; i += 450) {
		const fresh = createRedactor();
		assert.equal(first[i], fresh.text(texts[i]!), texts[i]);
		assert.equal(firstKeys[i], fresh.isSecretKey(keys[i]!), keys[i]);
	}

	assert.notEqual(first[0], texts[0], 'the secrets were redacted');
	assert.equal(firstKeys[0], true);
	assert.ok(first[7]!.includes('<redacted:'), 'a text past the remembered length is redacted as well');
});
