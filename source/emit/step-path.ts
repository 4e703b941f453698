/**
 * The segments of a step path: "build/unit" is the step "unit" inside the
 * stage "build". Blank segments are dropped ("build//unit/" is "build/unit").
 *
 * @throws Error when no segment is left.
 */
export function stepSegments(path: string): string[] {
	const segments = path
		.split('/')
		.map(segment => segment.trim())
		.filter(segment => segment !== '');
	if (segments.length === 0) {
		throw new Error(`step path "${path}" has no step name; use e.g. "build" or "build/unit"`);
	}

	return segments;
}
