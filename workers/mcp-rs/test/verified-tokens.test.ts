import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { JWKS_COOLDOWN_SECONDS } from "../src/auth/jwks";
import {
  buildVerifiedTokenKey,
  type KeySetStamp,
  VERIFIED_TOKEN_REUSE_SECONDS,
  VerifiedTokenCache,
} from "../src/auth/verified-tokens";
import type { Principal } from "../src/auth/verify-token";
import { CLOCK_SKEW_SECONDS } from "../src/auth/verify-token";
import { callTool, ISSUER, makeKey, mcpHeaders, RESOURCE, rpc, setup, T0 } from "./support";

const SCOPE = { issuer: ISSUER, resource: RESOURCE, requireAudience: false };
const KEYS: KeySetStamp = { version: 1, refreshDueAt: Number.POSITIVE_INFINITY };

function principal(overrides: Partial<Principal> = {}): Principal {
  return {
    sub: "11111111-2222-4333-8444-555555555555",
    username: "demo",
    clientId: "testclient0000000000000001",
    scopes: ["mcp-api/read"],
    audience: [],
    expiresAt: Math.floor(T0 / 1000) + 3600,
    originJti: undefined,
    ...overrides,
  };
}

function cacheAt(start = T0, maxEntries?: number) {
  const clock = { now: start };
  const cache = new VerifiedTokenCache({ now: () => clock.now, maxEntries });
  return { cache, clock };
}

describe("verified tokens: how long one verification is reused", () => {
  it("reuses a verification for VERIFIED_TOKEN_REUSE_SECONDS, then forgets it", () => {
    const { cache, clock } = cacheAt();
    cache.set("k", principal(), KEYS);
    clock.now += VERIFIED_TOKEN_REUSE_SECONDS * 1000 - 1;
    expect(cache.get("k", KEYS)?.sub).toBe("11111111-2222-4333-8444-555555555555");
    clock.now += 1;
    expect(cache.get("k", KEYS)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it("never reuses one at or past the token's exp, however long it may otherwise be kept", () => {
    const { cache, clock } = cacheAt();
    const expiresAt = Math.floor(T0 / 1000) + 60;
    cache.set("k", principal({ expiresAt }), KEYS);
    clock.now = expiresAt * 1000 - 1;
    expect(cache.get("k", KEYS)).toBeDefined();
    clock.now = expiresAt * 1000;
    expect(cache.get("k", KEYS)).toBeUndefined();
  });

  it("keeps nothing of a token accepted past its exp within the clock skew", () => {
    const { cache } = cacheAt();
    cache.set("k", principal({ expiresAt: Math.floor(T0 / 1000) - 1 }), KEYS);
    expect(cache.size).toBe(0);
  });

  it("reuses nothing once new keys replaced the key set it was verified with", () => {
    const { cache } = cacheAt();
    cache.set("k", principal(), KEYS);
    expect(cache.get("k", { ...KEYS, version: 2 })).toBeUndefined();
  });

  it("reuses nothing past the time the key set is due to be fetched again", () => {
    const { cache, clock } = cacheAt();
    cache.set("k", principal(), { version: 1, refreshDueAt: T0 + 10_000 });
    clock.now = T0 + 10_000;
    expect(cache.get("k", KEYS)).toBeUndefined();
  });

  it("remembers at most maxEntries tokens, forgetting the first remembered", () => {
    const { cache } = cacheAt(T0, 3);
    for (const key of ["a", "b", "c", "d"]) cache.set(key, principal({ sub: key }), KEYS);
    expect(cache.size).toBe(3);
    expect(cache.get("a", KEYS)).toBeUndefined();
    expect(cache.get("d", KEYS)?.sub).toBe("d");
  });

  it("hands out a frozen principal, so that no request can change another's", () => {
    const { cache } = cacheAt();
    cache.set("k", principal(), KEYS);
    const shared = cache.get("k", KEYS) as Principal;
    expect(Object.isFrozen(shared)).toBe(true);
    expect(() => shared.scopes.push("mcp-api/write")).toThrow(TypeError);
  });
});

describe("verified tokens: the key", () => {
  it("is a SHA-256 of the token and of what it was verified against, not the token", async () => {
    const token = "header.payload.signature";
    const key = await buildVerifiedTokenKey(token, SCOPE);
    expect(key).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(key).not.toContain("payload");
    expect(await buildVerifiedTokenKey(token, SCOPE)).toBe(key);
    const others = await Promise.all([
      buildVerifiedTokenKey(`${token}x`, SCOPE),
      buildVerifiedTokenKey(token, { ...SCOPE, resource: "http://127.0.0.1:3001/mcp" }),
      buildVerifiedTokenKey(token, { ...SCOPE, issuer: `${ISSUER}x` }),
      buildVerifiedTokenKey(token, { ...SCOPE, requireAudience: true }),
    ]);
    expect(new Set([key, ...others]).size).toBe(5);
  });
});

/** The app, its keys already fetched: a verification that fetches them is not kept (see the cache). */
async function warmSetup() {
  const ready = await setup();
  expect((await callTool(ready.call, await ready.token(), "whoami")).res.status).toBe(200);
  return ready;
}

describe("verified tokens in the resource server", () => {
  it("keeps users apart: each token is answered as its own subject", async () => {
    const { call, token } = await warmSetup();
    const users = [
      {
        username: "alice",
        token: await token({ sub: "aaaaaaaa-2222-4333-8444-555555555555", username: "alice" }),
      },
      {
        username: "bob",
        token: await token({ sub: "bbbbbbbb-2222-4333-8444-555555555555", username: "bob" }),
      },
    ];
    for (let round = 0; round < 2; round++)
      for (const { username, token: t } of users) {
        const { body } = await callTool(call, t, "whoami");
        expect(body?.result?.structuredContent).toMatchObject({ username });
      }
  });

  it("does not carry a token accepted for one resource over to another", async () => {
    const { app, call, token } = await warmSetup();
    const t = await token({ aud: RESOURCE });
    const init = () => ({ method: "POST", headers: mcpHeaders(t), body: rpc("tools/list") });
    expect((await call("/mcp", init())).status).toBe(200);
    // The same worker reached at another origin: its resource is derived from that origin.
    const res = await app.request("http://127.0.0.1:3001/mcp", init(), env);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({
      error_description: "the access token is meant for another audience",
    });
  });

  it("refuses a token verified earlier once it has expired", async () => {
    const { call, token, clock } = await warmSetup();
    const t = await token({ exp: Math.floor(clock.now / 1000) + 60 });
    expect((await callTool(call, t, "whoami")).res.status).toBe(200);
    clock.now += (60 + CLOCK_SKEW_SECONDS + 1) * 1000;
    const { res } = await callTool(call, t, "whoami");
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain(
      'error_description="the access token has expired"',
    );
  });

  it("verifies a token again once new keys replaced the ones it was signed with", async () => {
    const { call, token, upstream, clock } = await warmSetup();
    const t = await token();
    expect((await callTool(call, t, "whoami")).res.status).toBe(200);
    // Cognito rotates its key; a token of the new key makes mcp-rs fetch the new set.
    const rotated = await makeKey("key-2");
    upstream.keys = [rotated.jwk];
    clock.now += JWKS_COOLDOWN_SECONDS * 1000;
    expect((await callTool(call, await token({}, rotated), "whoami")).res.status).toBe(200);
    expect(upstream.count("/jwks.json")).toBe(2);
    const { res } = await callTool(call, t, "whoami");
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain(
      'error_description="the access token is signed by an unknown key"',
    );
  });
});
