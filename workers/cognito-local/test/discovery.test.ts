import { SELF } from "cloudflare:test";
import { createLocalJWKSet, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { ISSUER, ORIGIN, POOL_ID, signIn, tokenRequest } from "./support";

describe("OIDC discovery as Cognito publishes it", () => {
  it("serves Cognito's fields and none of what Cognito omits", async () => {
    const res = await SELF.fetch(`${ISSUER}/.well-known/openid-configuration`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as Record<string, unknown>;
    expect(doc).toEqual({
      authorization_endpoint: `${ORIGIN}/oauth2/authorize`,
      end_session_endpoint: `${ORIGIN}/logout`,
      id_token_signing_alg_values_supported: ["RS256"],
      issuer: ISSUER,
      jwks_uri: `${ISSUER}/.well-known/jwks.json`,
      response_types_supported: ["code", "token"],
      revocation_endpoint: `${ORIGIN}/oauth2/revoke`,
      scopes_supported: ["openid", "email", "phone", "profile"],
      subject_types_supported: ["public"],
      token_endpoint: `${ORIGIN}/oauth2/token`,
      token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
      userinfo_endpoint: `${ORIGIN}/oauth2/userInfo`,
    });
    expect(doc).not.toHaveProperty("code_challenge_methods_supported");
    expect(doc).not.toHaveProperty("registration_endpoint");
  });

  it("has no RFC 8414 document, as Cognito has none", async () => {
    const res = await SELF.fetch(`${ORIGIN}/.well-known/oauth-authorization-server/${POOL_ID}`);
    expect(res.status).toBe(404);
  });

  it("answers 404 for another pool id", async () => {
    const res = await SELF.fetch(`${ORIGIN}/us-east-1_Other1/.well-known/openid-configuration`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ message: "User pool us-east-1_Other1 does not exist." });
  });
});

describe("JWKS: RS256, one key for ID tokens and one for access tokens", () => {
  it("publishes public RSA keys only", async () => {
    const res = await SELF.fetch(`${ISSUER}/.well-known/jwks.json`);
    const { keys } = (await res.json()) as { keys: Record<string, string>[] };
    expect(keys.length).toBeGreaterThanOrEqual(2);
    for (const key of keys) {
      expect(Object.keys(key).sort()).toEqual(["alg", "e", "kid", "kty", "n", "use"]);
      expect(key).toMatchObject({ alg: "RS256", kty: "RSA", use: "sig" });
    }
  });

  it("signs access and ID tokens with different keys, both in the JWKS", async () => {
    const { code, verifier, redirectUri } = await signIn({ scope: "openid email mcp-api/read" });
    const { body } = await tokenRequest({
      grant_type: "authorization_code",
      code,
      redirect_uri: redirectUri,
      code_verifier: verifier,
    });
    const jwks = (await (await SELF.fetch(`${ISSUER}/.well-known/jwks.json`)).json()) as {
      keys: [];
    };
    const keySet = createLocalJWKSet(jwks);
    const access = await jwtVerify(String(body.access_token), keySet, { issuer: ISSUER });
    const id = await jwtVerify(String(body.id_token), keySet, { issuer: ISSUER });
    expect(access.protectedHeader.kid).not.toBe(id.protectedHeader.kid);
    expect(access.protectedHeader).toEqual({ kid: access.protectedHeader.kid, alg: "RS256" });
  });
});

describe("key rotation for tests (/_local/keys/rotate)", () => {
  it("signs with new keys and keeps the old ones published unless asked to drop them", async () => {
    const before = (await (await SELF.fetch(`${ISSUER}/.well-known/jwks.json`)).json()) as {
      keys: { kid: string }[];
    };
    const rotated = await SELF.fetch(`${ORIGIN}/_local/keys/rotate`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    const kids = (await rotated.json()) as { access: string; id: string; retired: string[] };
    const after = (await (await SELF.fetch(`${ISSUER}/.well-known/jwks.json`)).json()) as {
      keys: { kid: string }[];
    };
    const afterKids = after.keys.map((k) => k.kid);
    expect(afterKids).toContain(kids.access);
    expect(afterKids).toContain(kids.id);
    for (const old of before.keys.slice(0, 2)) expect(afterKids).toContain(old.kid);

    const { code, verifier, redirectUri } = await signIn({ scope: "openid mcp-api/read" });
    const { body } = await tokenRequest({
      grant_type: "authorization_code",
      code,
      redirect_uri: redirectUri,
      code_verifier: verifier,
    });
    const access = await jwtVerify(String(body.access_token), createLocalJWKSet(after as never), {
      issuer: ISSUER,
    });
    expect(access.protectedHeader.kid).toBe(kids.access);

    await SELF.fetch(`${ORIGIN}/_local/keys/rotate`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ dropOld: true }),
    });
    const dropped = (await (await SELF.fetch(`${ISSUER}/.well-known/jwks.json`)).json()) as {
      keys: { kid: string }[];
    };
    expect(dropped.keys).toHaveLength(2);
    expect(dropped.keys.map((k) => k.kid)).not.toContain(kids.access);
  });
});
