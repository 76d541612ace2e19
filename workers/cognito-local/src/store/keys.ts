/**
 * Storage key builders. Prefixes run parent → child so that `list({ prefix })` finds a kind.
 * See docs/storage.md of the project for the same table.
 */
export const storageKeys = {
  client: (clientId: string) => `client:${clientId}`,
  clientPrefix: "client:",
  user: (username: string) => `user:${username.toLowerCase()}`,
  userPrefix: "user:",
  code: (codeHash: string) => `code:${codeHash}`,
  codePrefix: "code:",
  refresh: (tokenHash: string) => `refresh:${tokenHash}`,
  refreshPrefix: "refresh:",
  revokedOrigin: (originJti: string) => `revoked:${originJti}`,
  revokedOriginPrefix: "revoked:",
  session: (sessionHash: string) => `session:${sessionHash}`,
  sessionPrefix: "session:",
  challenge: (challengeHash: string) => `challenge:${challengeHash}`,
  challengePrefix: "challenge:",
  keys: "keys",
  settings: "settings",
  seeded: "seeded",
} as const;
