import type { TimeUnit, UserPoolClient } from "../store/records";

const SECONDS_PER: Record<TimeUnit, number> = { seconds: 1, minutes: 60, hours: 3600, days: 86400 };

/** Cognito's defaults when a client sets no validity: 1 hour, 1 hour, 30 days. */
const DEFAULTS = {
  AccessToken: { value: 60, unit: "minutes" },
  IdToken: { value: 60, unit: "minutes" },
  RefreshToken: { value: 30, unit: "days" },
} as const;

/** The kinds of token whose lifetime an app client sets. */
export type TokenKind = keyof typeof DEFAULTS;

const VALIDITY_FIELD = {
  AccessToken: "AccessTokenValidity",
  IdToken: "IdTokenValidity",
  RefreshToken: "RefreshTokenValidity",
} as const;

/** Default unit per token when a client gives a number without `TokenValidityUnits`. */
const DEFAULT_UNIT: Record<TokenKind, TimeUnit> = {
  AccessToken: "hours",
  IdToken: "hours",
  RefreshToken: "days",
};

/** How long a token of this client lives, in seconds. */
export function tokenLifetimeSeconds(client: UserPoolClient, kind: TokenKind): number {
  const value = client[VALIDITY_FIELD[kind]];
  if (value === undefined) return DEFAULTS[kind].value * SECONDS_PER[DEFAULTS[kind].unit];
  const unit = client.TokenValidityUnits?.[kind] ?? DEFAULT_UNIT[kind];
  return value * SECONDS_PER[unit];
}
