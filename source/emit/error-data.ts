/** How a failure is recorded in `data.error`: what the fold reads as the span's error. */
export interface ErrorData {
	message: string;
	stack?: string;
	name?: string;
}

/** The `data.error` of a thrown value; anything thrown, not only Errors. */
export function errorData(error: unknown): ErrorData {
	if (error instanceof Error) {
		const data: ErrorData = {message: error.message};
		if (error.name && error.name !== 'Error') {
			data.name = error.name;
		}

		if (typeof error.stack === 'string') {
			data.stack = error.stack;
		}

		return data;
	}

	try {
		return {message: typeof error === 'string' ? error : (JSON.stringify(error) ?? String(error))};
	} catch {
		return {message: String(error)};
	}
}
