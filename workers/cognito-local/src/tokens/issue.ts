import { base64urlEncode } from "@mcp-cognito-workers/http";
import { SignJWT } from "jose";
import type { PoolServices } from "../pool-services";
import type { UserPoolClient, UserRecord } from "../store/records";
import { tokenLifetimeSeconds } from "./lifetimes";

/** One sign-in for which tokens are made. */
export interface SignIn {
  client: UserPoolClient;
  /** Absent for client_credentials, whose tokens speak for the client itself. */
  user?: UserRecord;
  scopes: string[];
  /** RFC 8707 resource bound at authorization: the access token's `aud`. */
  resource: string | null;
  /** Epoch seconds. */
  authTime: number;
  /** Shared by every token that descends from this sign-in. */
  originJti: string;
  nonce?: string | null;
}

/** Signed tokens, as `/oauth2/token` returns them (the refresh token is added by the caller). */
export interface IssuedTokens {
  access_token: string;
  id_token?: string;
  expires_in: number;
}

/**
 * Makes the access token, and the ID token when `openid` was granted to a user, with the claims
 * Cognito puts in them, each signed by its own RS256 key.
 */
export async function issueTokens(pool: PoolServices, signIn: SignIn): Promise<IssuedTokens> {
  const iat = Math.floor(pool.now() / 1000);
  const eventId = crypto.randomUUID();
  const expiresIn = tokenLifetimeSeconds(signIn.client, "AccessToken");
  const accessToken = await sign(pool, "access", accessClaims(signIn, eventId), iat, expiresIn);
  if (signIn.user === undefined || !signIn.scopes.includes("openid")) {
    return { access_token: accessToken, expires_in: expiresIn };
  }
  const idClaims = {
    at_hash: await atHash(accessToken),
    ...userIdClaims(signIn.user, signIn.client.ClientId),
    origin_jti: signIn.originJti,
    event_id: eventId,
    token_use: "id",
    auth_time: signIn.authTime,
    ...(signIn.nonce ? { nonce: signIn.nonce } : {}),
  };
  const idLifetime = tokenLifetimeSeconds(signIn.client, "IdToken");
  const idToken = await sign(pool, "id", idClaims, iat, idLifetime);
  return { access_token: accessToken, id_token: idToken, expires_in: expiresIn };
}

function accessClaims(signIn: SignIn, eventId: string): Record<string, unknown> {
  const { user, client } = signIn;
  const scope = signIn.scopes.join(" ");
  if (user === undefined) {
    // client_credentials: the client is the subject.
    return {
      sub: client.ClientId,
      token_use: "access",
      scope,
      auth_time: signIn.authTime,
      version: 2,
      client_id: client.ClientId,
    };
  }
  return {
    sub: user.sub,
    ...(user.groups.length > 0 ? { "cognito:groups": user.groups } : {}),
    version: 2,
    client_id: client.ClientId,
    origin_jti: signIn.originJti,
    event_id: eventId,
    token_use: "access",
    scope,
    auth_time: signIn.authTime,
    username: user.username,
    ...(signIn.resource ? { aud: signIn.resource } : {}),
  };
}

/** The user's claims in an ID token: `sub`, groups, `cognito:username`, and the attributes. */
function userIdClaims(user: UserRecord, clientId: string): Record<string, unknown> {
  const attributes: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(user.attributes)) {
    // Cognito turns its "true"/"false" strings into booleans in the ID token.
    attributes[name] = name.endsWith("_verified") ? value === "true" : value;
  }
  return {
    sub: user.sub,
    ...(user.groups.length > 0 ? { "cognito:groups": user.groups } : {}),
    ...attributes,
    "cognito:username": user.username,
    aud: clientId,
  };
}

async function sign(
  pool: PoolServices,
  use: "access" | "id",
  claims: Record<string, unknown>,
  iat: number,
  lifetimeSeconds: number,
): Promise<string> {
  const { kid, key } = await pool.keys.signingKey(use);
  return new SignJWT({ ...claims, iss: pool.config.issuer })
    .setProtectedHeader({ kid, alg: "RS256" })
    .setIssuedAt(iat)
    .setExpirationTime(iat + lifetimeSeconds)
    .setJti(crypto.randomUUID())
    .sign(key);
}

/** OIDC `at_hash`: base64url of the left half of SHA-256 of the access token. */
async function atHash(accessToken: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(accessToken));
  return base64urlEncode(new Uint8Array(digest).slice(0, 16));
}
