/**
 * Fragments of key names that hold secrets. Matched against the key lowercased
 * with separators removed, so "api_key", "apiKey", "X-Api-Key" and "API_KEY"
 * all match "apikey". Substring matching over-redacts now and then
 * ("tokenizer", "classname" has "ssn"): hiding a harmless value is the cheap mistake.
 */
const SECRET_FRAGMENTS = [
	'password',
	'passwd',
	'secret',
	'token',
	'ssn',
	'creditcard',
	'authorization',
	'apikey',
	'privatekey',
	'credential',
];

/** Whether a key (plan arg, env var, data field) names a value that must never be shown raw. */
export function isSecretKey(key: string): boolean {
	const normalized = key.toLowerCase().replace(/[^a-z0-9]/g, '');
	return SECRET_FRAGMENTS.some(fragment => normalized.includes(fragment));
}
