// The reference platform (issue 5). Not built yet: this package holds only its name and contract so far.
export const PLATFORM_API_PREFIX = '/api/discovery';
