/** Headers of an answer no one may store: errors, and anything about the caller. */
export const NO_STORE = { "cache-control": "no-store" };

/** Headers of public metadata, the same for everyone: reusable for 5 minutes. */
export const CACHEABLE = { "cache-control": "public, max-age=300" };
