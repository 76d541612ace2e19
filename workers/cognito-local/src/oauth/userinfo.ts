import { buildBearerChallenge, extractBearerToken, OAuthError } from "@mcp-cognito-workers/http";
import { Hono } from "hono";
import { createLocalJWKSet, errors, jwtVerify } from "jose";
import type { PoolServices } from "../pool-services";

/** `GET|POST /oauth2/userInfo`: the signed-in user's attributes for an access token with `openid`. */
export function userInfoRoutes(pool: PoolServices): Hono {
  const app = new Hono();
  app.on(["GET", "POST"], "/oauth2/userInfo", async (c) => {
    const token = extractBearerToken(c.req.raw);
    if (token === undefined) throw invalidToken("Access token is missing or malformed");
    const claims = await verifyAccessToken(pool, token);
    const user = pool.store.getUser(String(claims.username ?? ""));
    if (user === undefined || user.sub !== claims.sub || !user.enabled) {
      throw invalidToken("User does not exist");
    }
    // Cognito answers with its attribute strings ("true", not true).
    return c.json({ sub: user.sub, ...user.attributes, username: user.username });
  });
  return app;
}

async function verifyAccessToken(pool: PoolServices, token: string) {
  try {
    const { payload } = await jwtVerify(token, createLocalJWKSet(pool.keys.jwks()), {
      issuer: pool.config.issuer,
      algorithms: ["RS256"],
      currentDate: new Date(pool.now()),
    });
    if (payload.token_use !== "access") throw invalidToken("Not an access token");
    const scopes = String(payload.scope ?? "").split(" ");
    if (!scopes.includes("openid")) throw invalidToken("The token lacks the openid scope");
    if (typeof payload.origin_jti === "string" && pool.store.isOriginRevoked(payload.origin_jti)) {
      throw invalidToken("Access token has been revoked");
    }
    return payload;
  } catch (error) {
    if (error instanceof OAuthError) throw error;
    if (error instanceof errors.JWTExpired) throw invalidToken("Access token has expired");
    throw invalidToken("Invalid access token");
  }
}

function invalidToken(description: string): OAuthError {
  return new OAuthError("invalid_token", description, 401, {
    headers: {
      "WWW-Authenticate": buildBearerChallenge({
        error: "invalid_token",
        error_description: description,
      }),
    },
  });
}
