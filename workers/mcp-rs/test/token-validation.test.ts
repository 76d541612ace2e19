import { env } from "cloudflare:test";
import { clientSeenKey, grantKey, revokedClientKey } from "@mcp-cognito-workers/registrations";
import { base64url, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { JWKS_COOLDOWN_SECONDS, JWKS_MAX_AGE_SECONDS } from "../src/auth/jwks";
import { REVOCATION_MEMO_SECONDS } from "../src/auth/revocation";
import { CLOCK_SKEW_SECONDS } from "../src/auth/verify-token";
import {
  accessClaims,
  CLIENT_ID,
  ISSUER,
  makeKey,
  mcpHeaders,
  ORIGIN,
  PRM_URL,
  READ,
  RESOURCE,
  rpc,
  setup,
} from "./support";

type Setup = Awaited<ReturnType<typeof setup>>;

/** tools/list with a token: the simplest authenticated MCP request. */
function listTools(call: Setup["call"], token: string) {
  return call("/mcp", { method: "POST", headers: mcpHeaders(token), body: rpc("tools/list") });
}

async function expectInvalidToken(res: Response, description: string) {
  expect(res.status).toBe(401);
  expect(res.headers.get("www-authenticate")).toBe(
    `Bearer error="invalid_token", error_description="${description}", scope="${READ}", resource_metadata="${PRM_URL}"`,
  );
  expect(res.headers.get("cache-control")).toBe("no-store");
  expect(await res.json()).toEqual({ error: "invalid_token", error_description: description });
}

describe("RFC 6750 §3: a request without a token", () => {
  it("gets 401 with resource_metadata and the basic scope, and no error code", async () => {
    const { call } = await setup();
    const res = await call("/mcp", { method: "POST", headers: mcpHeaders(), body: rpc("ping") });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe(
      `Bearer scope="${READ}", resource_metadata="${PRM_URL}"`,
    );
    expect(await res.json()).toEqual({
      error: "invalid_token",
      error_description: "an access token is required",
    });
  });

  it("answers a plain GET /mcp (curl) with the same challenge", async () => {
    const { call } = await setup();
    const res = await call("/mcp");
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain(`resource_metadata="${PRM_URL}"`);
  });

  it("treats another authentication scheme as no token", async () => {
    const { call } = await setup();
    const res = await call("/mcp", { headers: { authorization: "Basic dXNlcjpwYXNz" } });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).not.toContain("error=");
  });
});

describe("RFC 6750 §2: tokens only in the Authorization header", () => {
  it("refuses a token in the query string with 400 invalid_request", async () => {
    const { call, token } = await setup();
    const res = await call(`/mcp?access_token=${await token()}`, {
      method: "POST",
      headers: mcpHeaders(),
      body: rpc("tools/list"),
    });
    expect(res.status).toBe(400);
    expect(res.headers.get("www-authenticate")).toContain('error="invalid_request"');
    expect(await res.json()).toEqual({
      error: "invalid_request",
      error_description: "access tokens are accepted only in the Authorization header",
    });
  });

  it("refuses a query token even next to a valid header token", async () => {
    const { call, token } = await setup();
    const valid = await token();
    const res = await call(`/mcp?access_token=${valid}`, {
      method: "POST",
      headers: mcpHeaders(valid),
      body: rpc("tools/list"),
    });
    expect(res.status).toBe(400);
  });

  it.each([["Bearer"], ["Bearer "], ["Bearer a b"], ["Bearer ab$cd"], ["Bearer\tabc"]])(
    "answers a malformed header %j with 400 invalid_request",
    async (header) => {
      const { call } = await setup();
      const res = await call("/mcp", { method: "POST", headers: { authorization: header } });
      expect(res.status).toBe(400);
      expect(res.headers.get("www-authenticate")).toBe(
        `Bearer error="invalid_request", error_description="the Authorization header is malformed", scope="${READ}", resource_metadata="${PRM_URL}"`,
      );
    },
  );

  it("refuses an oversized token without verifying it", async () => {
    const { call, upstream } = await setup();
    const res = await listTools(call, "a".repeat(9000));
    await expectInvalidToken(res, "the access token is too large");
    expect(upstream.calls).toEqual([]);
  });
});

describe("OAuth 2.1 §5.2: signature and algorithm", () => {
  it("accepts a valid Cognito access token", async () => {
    const { call, token } = await setup();
    expect((await listTools(call, await token())).status).toBe(200);
  });

  it('refuses alg "none"', async () => {
    const { call, clock } = await setup();
    const header = base64url.encode(JSON.stringify({ alg: "none", kid: "key-1" }));
    const payload = base64url.encode(JSON.stringify(accessClaims(clock.now)));
    await expectInvalidToken(
      await listTools(call, `${header}.${payload}.`),
      "the signing algorithm is not allowed",
    );
  });

  it("refuses HS256, even with the public key's modulus as the secret", async () => {
    const { call, clock, key } = await setup();
    const secret = new TextEncoder().encode(key.jwk.n);
    const hs = await new SignJWT(accessClaims(clock.now))
      .setProtectedHeader({ alg: "HS256", kid: "key-1" })
      .sign(secret);
    await expectInvalidToken(await listTools(call, hs), "the signing algorithm is not allowed");
  });

  it("refuses a tampered payload", async () => {
    const { call, token, clock } = await setup();
    const [header, , signature] = (await token()).split(".");
    const forged = base64url.encode(
      JSON.stringify(accessClaims(clock.now, { sub: "someone-else" })),
    );
    await expectInvalidToken(
      await listTools(call, `${header}.${forged}.${signature}`),
      "the access token's signature is invalid",
    );
  });

  it("refuses garbage", async () => {
    const { call } = await setup();
    await expectInvalidToken(await listTools(call, "abc.def.ghi"), "the access token is malformed");
  });
});

describe("RFC 9068 §4: claims", () => {
  it("refuses an ID token used as an access token (seed defect)", async () => {
    const { call, token } = await setup();
    const idToken = await token({
      token_use: "id",
      aud: CLIENT_ID,
      client_id: undefined,
      scope: undefined,
      email: "demo@example.com",
    });
    await expectInvalidToken(await listTools(call, idToken), "the token is not an access token");
  });

  it("refuses another issuer", async () => {
    const { call, token } = await setup();
    await expectInvalidToken(
      await listTools(call, await token({ iss: "https://cognito-idp.us-east-1.amazonaws.com/x" })),
      "the access token was issued by another issuer",
    );
  });

  it("refuses an expired token, tolerating a small skew", async () => {
    const { call, token, clock } = await setup();
    const t = await token({ exp: Math.floor(clock.now / 1000) - 1 });
    expect((await listTools(call, t)).status).toBe(200);
    clock.now += (CLOCK_SKEW_SECONDS + 2) * 1000;
    await expectInvalidToken(await listTools(call, t), "the access token has expired");
  });

  it("refuses a token not yet valid (nbf)", async () => {
    const { call, token, clock } = await setup();
    const nbf = Math.floor(clock.now / 1000) + CLOCK_SKEW_SECONDS + 60;
    await expectInvalidToken(
      await listTools(call, await token({ nbf })),
      "the access token is not yet valid",
    );
  });

  it("refuses a token issued in the future (iat)", async () => {
    const { call, token, clock } = await setup();
    const iat = Math.floor(clock.now / 1000) + CLOCK_SKEW_SECONDS + 60;
    await expectInvalidToken(
      await listTools(call, await token({ iat, exp: iat + 3600 })),
      "the access token was issued in the future",
    );
  });

  it("refuses a token without client_id", async () => {
    const { call, token } = await setup();
    await expectInvalidToken(
      await listTools(call, await token({ client_id: undefined })),
      "the access token has no client_id",
    );
  });

  it.each([
    ["a lone surrogate (KV cannot decode the key)", "\ud800"],
    ["over 128 characters (KV keys end at 512 bytes)", "a".repeat(600)],
    ["characters Cognito's ids never have", "client/../x"],
  ])(
    "refuses a client_id of %s: not a Cognito app client id (fuzzing found a 500)",
    async (_, clientId) => {
      const { call, token } = await setup();
      await expectInvalidToken(
        await listTools(call, await token({ client_id: clientId })),
        "the access token's client_id is malformed",
      );
    },
  );
});

describe("RFC 8707: audience", () => {
  it("refuses a token for another resource (seed defect)", async () => {
    const { call, token } = await setup();
    await expectInvalidToken(
      await listTools(call, await token({ aud: "https://other.example.com/mcp" })),
      "the access token is meant for another audience",
    );
  });

  it.each([[RESOURCE], [["https://other.example.com", RESOURCE]]])(
    "accepts aud %j, which names the canonical resource exactly",
    async (aud) => {
      const { call, token } = await setup();
      expect((await listTools(call, await token({ aud }))).status).toBe(200);
    },
  );

  it.each([
    [`${RESOURCE}/`],
    [ORIGIN],
    [`${ORIGIN}/`],
    ["http:"],
    ["http://localhost:300"],
    [`${RESOURCE}x`],
    [`${RESOURCE}/sub`],
    [RESOURCE.toUpperCase()],
    [""],
  ])("refuses aud %j: only the exact canonical resource is accepted", async (aud) => {
    const { call, token } = await setup();
    await expectInvalidToken(
      await listTools(call, await token({ aud })),
      "the access token is meant for another audience",
    );
  });

  it("requires aud when REQUIRE_AUDIENCE is true", async () => {
    const { app, token } = await setup();
    const strict = { ...env, REQUIRE_AUDIENCE: "true" };
    const send = async (t: string) =>
      app.request(
        `${RESOURCE}`,
        { method: "POST", headers: mcpHeaders(t), body: rpc("tools/list") },
        strict,
      );
    await expectInvalidToken(
      await send(await token()),
      "the access token is not bound to this resource",
    );
    expect((await send(await token({ aud: RESOURCE }))).status).toBe(200);
  });
});

describe("JWKS: cached, refetched once on an unknown kid, kept when Cognito is down", () => {
  it("fetches discovery and the JWKS once for many requests", async () => {
    const { call, token, upstream } = await setup();
    for (let i = 0; i < 5; i++) expect((await listTools(call, await token())).status).toBe(200);
    expect(upstream.count("/openid-configuration")).toBe(1);
    expect(upstream.count("/jwks.json")).toBe(1);
  });

  it("accepts a token signed with a key rotated in after the last fetch (seed defect)", async () => {
    const { call, token, upstream, clock } = await setup();
    expect((await listTools(call, await token())).status).toBe(200);
    const rotated = await makeKey("key-2");
    upstream.keys = [rotated.jwk];
    clock.now += JWKS_COOLDOWN_SECONDS * 1000;
    expect((await listTools(call, await token({}, rotated))).status).toBe(200);
    expect(upstream.count("/jwks.json")).toBe(2);
  });

  it("accepts a key rotated in right after the first fetch (the cooldown starts only from an unknown kid)", async () => {
    const { call, token, upstream } = await setup();
    expect((await listTools(call, await token())).status).toBe(200);
    const rotated = await makeKey("key-2");
    upstream.keys = [rotated.jwk];
    expect((await listTools(call, await token({}, rotated))).status).toBe(200);
    expect(upstream.count("/jwks.json")).toBe(2);
  });

  it("does not refetch for random kids within the cooldown", async () => {
    const { call, token, upstream, clock } = await setup();
    expect((await listTools(call, await token())).status).toBe(200);
    clock.now += JWKS_COOLDOWN_SECONDS * 1000;
    for (const kid of ["r1", "r2", "r3"]) {
      const stranger = await makeKey(kid);
      await expectInvalidToken(
        await listTools(call, await token({}, stranger)),
        "the access token is signed by an unknown key",
      );
    }
    expect(upstream.count("/jwks.json")).toBe(2);
  });

  it("keeps the last good keys when Cognito is unreachable", async () => {
    const { call, token, upstream, clock } = await setup();
    expect((await listTools(call, await token())).status).toBe(200);
    upstream.down = true;
    clock.now += (JWKS_MAX_AGE_SECONDS + 1) * 1000;
    expect((await listTools(call, await token())).status).toBe(200);
    expect(upstream.count("/jwks.json")).toBe(2);
  });

  it("answers 503 when no key was ever obtained", async () => {
    const { call, token, upstream } = await setup();
    upstream.down = true;
    const res = await listTools(call, await token());
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe(String(JWKS_COOLDOWN_SECONDS));
    expect(await res.json()).toEqual({
      error: "temporarily_unavailable",
      error_description: "the authorization server's keys cannot be fetched",
    });
  });

  it("refuses a discovery document whose issuer differs", async () => {
    const { call, token, upstream } = await setup();
    upstream.discoveryIssuer = `${ISSUER}x`;
    expect((await listTools(call, await token())).status).toBe(503);
    expect(upstream.count("/jwks.json")).toBe(0);
  });

  it.each([
    ["another origin", "https://keys.example.com/us-east-1_x/.well-known/jwks.json"],
    [
      "another pool on the issuer's origin",
      `${new URL(ISSUER).origin}/other/.well-known/jwks.json`,
    ],
    ["a path that only starts like the issuer", `${ISSUER}x/.well-known/jwks.json`],
  ])("refuses a jwks_uri on %s: the keys must sit under the issuer", async (_, jwksUri) => {
    const { call, token, upstream } = await setup();
    upstream.jwksUri = jwksUri;
    expect((await listTools(call, await token())).status).toBe(503);
    expect(upstream.count("/jwks.json")).toBe(0);
  });

  it("does not follow a redirect of the JWKS", async () => {
    const { call, token, upstream } = await setup();
    upstream.jwksRedirect = "https://keys.example.com/jwks.json";
    expect((await listTools(call, await token())).status).toBe(503);
    expect(upstream.calls).not.toContain("https://keys.example.com/jwks.json");
  });
});

describe("revocation: tokens of a deleted DCR registration", () => {
  it("refuses a token whose client has a tombstone in REGISTRATIONS", async () => {
    const { call, token, clock } = await setup();
    const clientId = "revokedclient0000000000001";
    const t = await token({ client_id: clientId });
    expect((await listTools(call, t)).status).toBe(200);
    await env.REGISTRATIONS.put(
      revokedClientKey(clientId),
      JSON.stringify({ clientId, revokedAt: 1 }),
    );
    // Remembered by the isolate for REVOCATION_MEMO_SECONDS (deployed, also cached by KV's edge
    // cache for up to REVOCATION_CACHE_TTL_SECONDS; locally it is not).
    clock.now += (REVOCATION_MEMO_SECONDS - 1) * 1000;
    expect((await listTools(call, t)).status).toBe(200);
    clock.now += 1000;
    await expectInvalidToken(await listTools(call, t), "the client's registration was deleted");
  });

  it("refuses a token of a client revoked before its first use", async () => {
    const { call, token } = await setup();
    const clientId = "revokedclient0000000000002";
    await env.REGISTRATIONS.put(
      revokedClientKey(clientId),
      JSON.stringify({ clientId, revokedAt: 1 }),
    );
    await expectInvalidToken(
      await listTools(call, await token({ client_id: clientId })),
      "the client's registration was deleted",
    );
  });
});

describe("revocation: tokens of a deleted registration served by a shared app client", () => {
  const SHARED_APP_CLIENT = "sharedappclient00000000001";

  /** What workers/dcr writes when it hands out a sign-in's first tokens, and when it deletes. */
  async function writeGrant(originJti: string, clientId: string) {
    await env.REGISTRATIONS.put(grantKey(originJti), JSON.stringify({ clientId, issuedAt: 1 }));
  }
  async function writeTombstone(clientId: string) {
    await env.REGISTRATIONS.put(
      revokedClientKey(clientId),
      JSON.stringify({ clientId, revokedAt: 1 }),
    );
  }

  it("refuses a sign-in's tokens once its registration is deleted, within REVOCATION_MEMO_SECONDS; its neighbours' still work", async () => {
    const { call, token, clock } = await setup();
    const deleted = `dcr_${crypto.randomUUID().replace(/-/g, "").slice(0, 26)}`;
    const kept = `dcr_${crypto.randomUUID().replace(/-/g, "").slice(0, 26)}`;
    const [mine, theirs] = [crypto.randomUUID(), crypto.randomUUID()];
    await writeGrant(mine, deleted);
    await writeGrant(theirs, kept);
    // Both registrations' tokens carry the same client_id: the shared app client's.
    const t = await token({ client_id: SHARED_APP_CLIENT, origin_jti: mine });
    const other = await token({ client_id: SHARED_APP_CLIENT, origin_jti: theirs });
    expect((await listTools(call, t)).status).toBe(200);
    expect((await listTools(call, other)).status).toBe(200);
    await writeTombstone(deleted);
    clock.now += (REVOCATION_MEMO_SECONDS - 1) * 1000;
    expect((await listTools(call, t)).status).toBe(200);
    clock.now += 1000;
    await expectInvalidToken(await listTools(call, t), "the client's registration was deleted");
    // A refreshed token of the same sign-in (the same origin_jti) is refused too.
    await expectInvalidToken(
      await listTools(call, await token({ client_id: SHARED_APP_CLIENT, origin_jti: mine })),
      "the client's registration was deleted",
    );
    expect((await listTools(call, other)).status).toBe(200);
  });

  it("a sign-in without a grant record is the token's client_id alone (the static client)", async () => {
    const { call, token } = await setup();
    const t = await token({ client_id: CLIENT_ID, origin_jti: crypto.randomUUID() });
    expect((await listTools(call, t)).status).toBe(200);
  });

  it("an origin_jti that cannot be a KV key is not looked up", async () => {
    const { call, token } = await setup();
    const t = await token({ client_id: CLIENT_ID, origin_jti: "../../grant:x" });
    expect((await listTools(call, t)).status).toBe(200);
  });

  it("marks the registration as seen, not the shared app client", async () => {
    const { call, token } = await setup();
    const registration = `dcr_${crypto.randomUUID().replace(/-/g, "").slice(0, 26)}`;
    const originJti = crypto.randomUUID();
    await writeGrant(originJti, registration);
    const t = await token({ client_id: SHARED_APP_CLIENT, origin_jti: originJti });
    expect((await listTools(call, t)).status).toBe(200);
    expect(await env.REGISTRATIONS.get(clientSeenKey(registration))).not.toBeNull();
  });
});
