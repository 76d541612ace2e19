/** Names of `Env` whose values are strings: variables and secrets, not bindings. */
type SecretName = { [K in keyof Env]: Env[K] extends string ? K : never }[keyof Env];

/**
 * The secrets dcr cannot serve a request without: the AWS key that signs every Cognito call, and
 * the key that seals the front door's transactions, codes and consent. DCR_INITIAL_ACCESS_TOKEN is
 * optional (unset: registration is open).
 */
export const REQUIRED_SECRETS = [
  "COGNITO_SECRET_ACCESS_KEY",
  "FRONT_DOOR_KEY",
] as const satisfies readonly SecretName[];
