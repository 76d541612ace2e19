import type { JWK } from "jose";

/** Units Cognito accepts in `TokenValidityUnits`. */
export type TimeUnit = "seconds" | "minutes" | "hours" | "days";

/** OAuth flows an app client may allow. */
export type OAuthFlow = "code" | "implicit" | "client_credentials";

/**
 * An app client as Cognito describes it (`UserPoolClientType`). The stand-in stores exactly what
 * `DescribeUserPoolClient` returns, so the record and the wire shape are one.
 */
export interface UserPoolClient {
  UserPoolId: string;
  ClientName: string;
  ClientId: string;
  ClientSecret?: string;
  /** Epoch seconds with a fraction, as on the wire. */
  LastModifiedDate: number;
  CreationDate: number;
  RefreshTokenValidity?: number;
  AccessTokenValidity?: number;
  IdTokenValidity?: number;
  TokenValidityUnits?: { AccessToken?: TimeUnit; IdToken?: TimeUnit; RefreshToken?: TimeUnit };
  ReadAttributes?: string[];
  WriteAttributes?: string[];
  ExplicitAuthFlows?: string[];
  SupportedIdentityProviders?: string[];
  CallbackURLs?: string[];
  LogoutURLs?: string[];
  DefaultRedirectURI?: string;
  AllowedOAuthFlows?: OAuthFlow[];
  AllowedOAuthScopes?: string[];
  AllowedOAuthFlowsUserPoolClient?: boolean;
  PreventUserExistenceErrors?: "LEGACY" | "ENABLED";
  EnableTokenRevocation?: boolean;
  EnablePropagateAdditionalUserContextData?: boolean;
  AuthSessionValidity?: number;
  RefreshTokenRotation?: { Feature: "ENABLED" | "DISABLED"; RetryGracePeriodSeconds?: number };
}

/** Cognito user statuses the stand-in uses. */
export type UserStatus = "FORCE_CHANGE_PASSWORD" | "CONFIRMED";

/** A user of the pool. The password is kept only as a PBKDF2 hash. */
export interface UserRecord {
  username: string;
  /** UUID, the `sub` claim. */
  sub: string;
  /** Attributes other than `sub` (`email`, `email_verified`, ...), as Cognito's string values. */
  attributes: Record<string, string>;
  passwordHash: string | null;
  status: UserStatus;
  enabled: boolean;
  groups: string[];
  /** Epoch milliseconds. */
  createdAt: number;
  updatedAt: number;
}

/** What an authorization code stands for; stored under the code's hash until redeemed once. */
export interface CodeRecord {
  clientId: string;
  redirectUri: string;
  scopes: string[];
  codeChallenge: string | null;
  nonce: string | null;
  /** RFC 8707 resource, which becomes the access token's `aud`. */
  resource: string | null;
  username: string;
  /** The user's `sub`: a user deleted and made again under the same name is someone else. */
  sub: string;
  /** Epoch seconds of the sign-in. */
  authTime: number;
  /** Epoch milliseconds. */
  expiresAt: number;
}

/** What a refresh token stands for; stored under the token's hash. */
export interface RefreshRecord {
  clientId: string;
  username: string;
  /** The user's `sub`: a user deleted and made again under the same name is someone else. */
  sub: string;
  scopes: string[];
  resource: string | null;
  authTime: number;
  /** `origin_jti` shared by every token of this sign-in; revoking the refresh token revokes them. */
  originJti: string;
  expiresAt: number;
}

/** A managed-login session on the stand-in's domain (Cognito's own cookie). */
export interface SessionRecord {
  username: string;
  /** The user's `sub`: a user deleted and made again under the same name is someone else. */
  sub: string;
  authTime: number;
  expiresAt: number;
}

/** A user who signed in with a temporary password and must now choose a permanent one. */
export interface ChallengeRecord {
  username: string;
  expiresAt: number;
}

/** One RSA signing key: the private JWK, with `kid`. */
export interface SigningKey {
  kid: string;
  privateJwk: JWK & { kid: string };
  publicJwk: JWK & { kid: string };
}

/** Keys in use: the current one per token kind, and older ones still published in the JWKS. */
export interface KeySet {
  access: SigningKey;
  id: SigningKey;
  retired: SigningKey[];
}

/** Settings tests may change at run time through `/_local/settings`. */
export interface RuntimeSettings {
  appClientQuota: number;
  rateLimitPerSecond: number;
  /** Added to the wall clock, so that tests can move time forward without sleeping. */
  clockOffsetMs: number;
}
