/** Names of `Env` whose values are strings: variables and secrets, not bindings. */
type SecretName = { [K in keyof Env]: Env[K] extends string ? K : never }[keyof Env];

/**
 * The secrets the client cannot serve a request without: the static client's secret (every page
 * reads the configuration) and the key that encrypts its stored DCR registrations.
 */
export const REQUIRED_SECRETS = [
  "STATIC_CLIENT_SECRET",
  "CLIENT_STATE_KEY",
] as const satisfies readonly SecretName[];
