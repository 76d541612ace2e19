import {
  base64urlEncode,
  OAuthError,
  randomToken,
  sha256Base64url,
  timingSafeEqual,
} from "@mcp-cognito-workers/http";
import { Hono } from "hono";
import { isCustomScope } from "../config/pool-template";
import type { PoolServices } from "../pool-services";
import type { RefreshRecord, UserPoolClient } from "../store/records";
import { type IssuedTokens, issueTokens } from "../tokens/issue";
import { tokenLifetimeSeconds } from "../tokens/lifetimes";
import { findIssuedUser } from "../users/users";
import { authenticateClient } from "./client-auth";
import { NO_STORE } from "./no-store";

const PKCE_VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

/** `POST /oauth2/token` and `POST /oauth2/revoke`. */
export function tokenRoutes(pool: PoolServices): Hono {
  const app = new Hono();

  app.post("/oauth2/token", async (c) => {
    const form = await readForm(c.req.raw);
    const client = authenticateClient(pool, c.req.header("authorization"), form);
    const grantType = form.get("grant_type");
    if (!grantType) throw new OAuthError("invalid_request", "grant_type is missing");
    let body: IssuedTokens & { refresh_token?: string };
    switch (grantType) {
      case "authorization_code":
        body = await redeemCode(pool, client, form);
        break;
      case "refresh_token":
        body = await refresh(pool, client, form);
        break;
      case "client_credentials":
        body = await clientCredentials(pool, client, form);
        break;
      default:
        throw new OAuthError("unsupported_grant_type", `Unsupported grant_type: ${grantType}`);
    }
    return c.json({ ...body, token_type: "Bearer" }, 200, NO_STORE);
  });

  app.post("/oauth2/revoke", async (c) => {
    const form = await readForm(c.req.raw);
    const client = authenticateClient(pool, c.req.header("authorization"), form);
    const token = form.get("token");
    if (!token) throw new OAuthError("invalid_request", "token is missing");
    if (client.EnableTokenRevocation === false) {
      throw new OAuthError(
        "unsupported_token_type",
        "Token revocation is not enabled for this client",
      );
    }
    const hash = await sha256Base64url(token);
    const record = pool.store.getRefresh(hash);
    // RFC 7009 §2.2: an unknown token is not an error.
    if (record !== undefined) {
      if (record.clientId !== client.ClientId) {
        throw new OAuthError("invalid_request", "The token was not issued to this client");
      }
      pool.store.deleteRefresh(hash);
      pool.store.revokeOrigin(record.originJti, record.expiresAt);
    }
    return c.body(null, 200, NO_STORE);
  });

  return app;
}

async function readForm(request: Request): Promise<URLSearchParams> {
  const type = request.headers.get("content-type") ?? "";
  if (!type.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
    throw new OAuthError("invalid_request", "The body must be application/x-www-form-urlencoded");
  }
  return new URLSearchParams(new TextDecoder().decode(await request.arrayBuffer()));
}

async function redeemCode(pool: PoolServices, client: UserPoolClient, form: URLSearchParams) {
  const code = form.get("code");
  if (!code) throw new OAuthError("invalid_request", "code is missing");
  const record = pool.store.takeCode(await sha256Base64url(code));
  if (record === undefined || record.expiresAt <= pool.now()) {
    throw new OAuthError("invalid_grant", "The code is invalid, expired or already used");
  }
  if (record.clientId !== client.ClientId) {
    throw new OAuthError("invalid_grant", "The code was issued to another client");
  }
  if (form.get("redirect_uri") !== record.redirectUri) {
    throw new OAuthError("invalid_grant", "redirect_uri does not match the authorization request");
  }
  if (record.codeChallenge !== null) {
    const verifier = form.get("code_verifier");
    if (verifier === null || !PKCE_VERIFIER.test(verifier)) {
      throw new OAuthError("invalid_grant", "code_verifier is missing or malformed");
    }
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
    if (!timingSafeEqual(base64urlEncode(digest), record.codeChallenge)) {
      throw new OAuthError("invalid_grant", "code_verifier does not match the code_challenge");
    }
  }
  const user = findIssuedUser(pool, record);
  if (user === undefined) throw new OAuthError("invalid_grant", "The user no longer exists");
  const originJti = crypto.randomUUID();
  const tokens = await issueTokens(pool, {
    client,
    user,
    ...grantOf(record),
    originJti,
    nonce: record.nonce,
  });
  const refreshToken = await saveRefreshToken(pool, {
    clientId: client.ClientId,
    username: user.username,
    sub: user.sub,
    ...grantOf(record),
    originJti,
    expiresAt: pool.now() + tokenLifetimeSeconds(client, "RefreshToken") * 1000,
  });
  return { ...tokens, refresh_token: refreshToken };
}

async function refresh(pool: PoolServices, client: UserPoolClient, form: URLSearchParams) {
  const token = form.get("refresh_token");
  if (!token) throw new OAuthError("invalid_request", "refresh_token is missing");
  const hash = await sha256Base64url(token);
  const record = pool.store.getRefresh(hash);
  if (
    record === undefined ||
    record.expiresAt <= pool.now() ||
    pool.store.isOriginRevoked(record.originJti)
  ) {
    throw new OAuthError("invalid_grant", "Invalid Refresh Token");
  }
  if (record.clientId !== client.ClientId)
    throw new OAuthError("invalid_grant", "Invalid Refresh Token");
  const user = findIssuedUser(pool, record);
  if (user === undefined) throw new OAuthError("invalid_grant", "User does not exist.");
  const tokens = await issueTokens(pool, {
    client,
    user,
    ...grantOf(record),
    originJti: record.originJti,
  });
  if (client.RefreshTokenRotation?.Feature !== "ENABLED") return tokens;
  // Rotation: a new refresh token; the old one lives on only for the retry grace period.
  const graceMs = (client.RefreshTokenRotation.RetryGracePeriodSeconds ?? 0) * 1000;
  if (graceMs === 0) pool.store.deleteRefresh(hash);
  else
    pool.store.putRefresh(hash, {
      ...record,
      expiresAt: Math.min(record.expiresAt, pool.now() + graceMs),
    });
  const refreshToken = await saveRefreshToken(pool, {
    ...record,
    expiresAt: pool.now() + tokenLifetimeSeconds(client, "RefreshToken") * 1000,
  });
  return { ...tokens, refresh_token: refreshToken };
}

async function clientCredentials(
  pool: PoolServices,
  client: UserPoolClient,
  form: URLSearchParams,
) {
  if (
    client.ClientSecret === undefined ||
    !client.AllowedOAuthFlows?.includes("client_credentials")
  ) {
    throw new OAuthError(
      "unauthorized_client",
      "The client is not allowed the client_credentials grant",
    );
  }
  const allowed = (client.AllowedOAuthScopes ?? []).filter(isCustomScope);
  const asked = (form.get("scope") ?? "").split(" ").filter((s) => s !== "");
  if (asked.some((scope) => !allowed.includes(scope))) {
    throw new OAuthError("invalid_scope", "A requested scope is not allowed for this client");
  }
  const scopes = asked.length > 0 ? [...new Set(asked)] : allowed;
  if (scopes.length === 0) throw new OAuthError("invalid_scope", "The client has no custom scopes");
  return issueTokens(pool, {
    client,
    scopes,
    resource: null,
    authTime: Math.floor(pool.now() / 1000),
    originJti: crypto.randomUUID(),
  });
}

/** What a code or a refresh token grants, carried into the tokens it is exchanged for. */
function grantOf(record: Pick<RefreshRecord, "scopes" | "resource" | "authTime">) {
  return { scopes: record.scopes, resource: record.resource, authTime: record.authTime };
}

/** Makes an opaque refresh token and keeps only its hash. */
async function saveRefreshToken(pool: PoolServices, record: RefreshRecord): Promise<string> {
  const token = randomToken(48);
  pool.store.putRefresh(await sha256Base64url(token), record);
  return token;
}
