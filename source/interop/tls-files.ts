import fs from 'node:fs';

/** A certificate chain and its private key, PEM, as both of serve's transports take them. */
export interface TlsFiles {
	cert: Buffer;
	key: Buffer;
}

/** Why --tls-cert / --tls-key cannot be used: one line, for a usage error. */
export class TlsFilesError extends Error {}

/**
 * Read --tls-cert and --tls-key: both or neither (undefined), each a
 * readable file. A pair that does not match is found when the servers start.
 */
export function readTlsFiles(certFile: string | undefined, keyFile: string | undefined): TlsFiles | undefined {
	if (certFile === undefined && keyFile === undefined) {
		return undefined;
	}

	if (certFile === undefined || keyFile === undefined) {
		throw new TlsFilesError(`--tls-cert and --tls-key go together; ${certFile === undefined ? '--tls-cert' : '--tls-key'} is missing`);
	}

	const read = (file: string, flag: string): Buffer => {
		try {
			return fs.readFileSync(file);
		} catch (error) {
			throw new TlsFilesError(`${flag} ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
		}
	};

	return {cert: read(certFile, '--tls-cert'), key: read(keyFile, '--tls-key')};
}
