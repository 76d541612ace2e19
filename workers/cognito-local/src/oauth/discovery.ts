import { Hono } from "hono";
import type { Config } from "../config/vars";
import type { PoolServices } from "../pool-services";

/**
 * Cognito's OpenID Provider configuration, with its omissions: no `code_challenge_methods_supported`,
 * no `registration_endpoint`, and no RFC 8414 document beside it. The OAuth endpoints are on the
 * managed-login domain, the issuer and JWKS on the IdP host.
 */
export function buildOpenIdConfiguration(config: Config) {
  const origin = config.loginOrigin;
  return {
    authorization_endpoint: `${origin}/oauth2/authorize`,
    end_session_endpoint: `${origin}/logout`,
    id_token_signing_alg_values_supported: ["RS256"],
    issuer: config.issuer,
    jwks_uri: `${config.issuer}/.well-known/jwks.json`,
    response_types_supported: ["code", "token"],
    revocation_endpoint: `${origin}/oauth2/revoke`,
    scopes_supported: ["openid", "email", "phone", "profile"],
    subject_types_supported: ["public"],
    token_endpoint: `${origin}/oauth2/token`,
    token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
    userinfo_endpoint: `${origin}/oauth2/userInfo`,
  };
}

/** `/<poolId>/.well-known/openid-configuration` and `/<poolId>/.well-known/jwks.json`. */
export function discoveryRoutes(pool: PoolServices): Hono {
  const app = new Hono();
  const unknownPool = (poolId: string) =>
    Response.json({ message: `User pool ${poolId} does not exist.` }, { status: 404 });

  app.get("/:poolId/.well-known/openid-configuration", (c) => {
    const poolId = c.req.param("poolId");
    if (poolId !== pool.config.userPoolId) return unknownPool(poolId);
    return c.json(buildOpenIdConfiguration(pool.config));
  });

  app.get("/:poolId/.well-known/jwks.json", (c) => {
    const poolId = c.req.param("poolId");
    if (poolId !== pool.config.userPoolId) return unknownPool(poolId);
    return c.json(pool.keys.jwks());
  });

  return app;
}
