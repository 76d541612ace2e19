// Storage key builders: `<kind>Key(id)` and the `<KIND>_PREFIX` a kind's keys start with, so that
// `list({ prefix })` finds a kind. docs/storage.md of the project has the same table.

export const CLIENT_PREFIX = "client:";
export const clientKey = (clientId: string) => `${CLIENT_PREFIX}${clientId}`;

export const USER_PREFIX = "user:";
/** Usernames are case-insensitive in the pool. */
export const userKey = (username: string) => `${USER_PREFIX}${username.toLowerCase()}`;

export const CODE_PREFIX = "code:";
export const codeKey = (codeHash: string) => `${CODE_PREFIX}${codeHash}`;

export const REFRESH_PREFIX = "refresh:";
export const refreshKey = (tokenHash: string) => `${REFRESH_PREFIX}${tokenHash}`;

export const REVOKED_ORIGIN_PREFIX = "revoked:";
export const revokedOriginKey = (originJti: string) => `${REVOKED_ORIGIN_PREFIX}${originJti}`;

export const SESSION_PREFIX = "session:";
export const sessionKey = (sessionHash: string) => `${SESSION_PREFIX}${sessionHash}`;

export const CHALLENGE_PREFIX = "challenge:";
export const challengeKey = (challengeHash: string) => `${CHALLENGE_PREFIX}${challengeHash}`;

/** The pool's signing keys. */
export const SIGNING_KEYS_KEY = "keys";
/** The stand-in's local settings. */
export const SETTINGS_KEY = "settings";
