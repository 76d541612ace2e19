import { env } from "cloudflare:test";
import { base64urlEncode } from "@mcp-cognito-workers/http";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ClientRegistration } from "../src/oauth";
import { registrationKey, sessionKey } from "../src/session/keys";
import { createKvRegistrationStore } from "../src/session/registrations";
import {
  createSession,
  deleteSession,
  loadSession,
  type Session,
  saveSession,
} from "../src/session/session";

const kv = env.CLIENT_STATE;

const randomSecret = (bytes = 32) => base64urlEncode(crypto.getRandomValues(new Uint8Array(bytes)));

/** A session with a pending sign-in and tokens, every secret in it distinctive. */
function sessionWithSecrets(): Session {
  const session = createSession();
  session.pending = {
    flow: "static",
    issuer: "https://issuer.example.com",
    clientId: "client-1",
    redirectUri: "http://localhost:3000/callback",
    resource: "http://localhost:3001/mcp",
    scopes: ["openid"],
    state: `state-${randomSecret()}`,
    codeVerifier: `verifier-${randomSecret()}`,
    nonce: `nonce-${randomSecret()}`,
  };
  session.signIns.static = {
    issuer: "https://issuer.example.com",
    clientId: "client-1",
    resource: "http://localhost:3001/mcp",
    scopes: ["openid"],
    tokens: { accessToken: `access-${randomSecret()}`, refreshToken: `refresh-${randomSecret()}` },
  };
  return session;
}

/** Flips one character of the envelope's ciphertext. */
function tamper(stored: string): string {
  const envelope = JSON.parse(stored) as { v: number; iv: string; ct: string };
  const c = envelope.ct[10] === "A" ? "B" : "A";
  return JSON.stringify({
    ...envelope,
    ct: `${envelope.ct.slice(0, 10)}${c}${envelope.ct.slice(11)}`,
  });
}

describe("sessions at rest", () => {
  it("the KV key is not the cookie value and contains no part of it", async () => {
    const session = createSession();
    await saveSession(kv, session);
    const key = await sessionKey(session.id);
    expect(key).toMatch(/^session:[A-Za-z0-9_-]{43}$/);
    expect(key).not.toContain(session.id);
    for (let i = 0; i + 8 <= session.id.length; i++)
      expect(key).not.toContain(session.id.slice(i, i + 8));
    const { keys } = await kv.list({ prefix: "session:" });
    expect(keys.map((k) => k.name)).toContain(key);
    for (const { name } of keys) expect(name).not.toContain(session.id.slice(0, 8));
  });

  it("the stored value holds no token, verifier, state or nonce in clear", async () => {
    const session = sessionWithSecrets();
    await saveSession(kv, session);
    const stored = (await kv.get(await sessionKey(session.id))) as string;
    expect(JSON.parse(stored)).toEqual({ v: 1, iv: expect.any(String), ct: expect.any(String) });
    const secrets = [
      session.id,
      session.csrfToken,
      session.pending?.state,
      session.pending?.codeVerifier,
      session.pending?.nonce,
      session.signIns.static?.tokens.accessToken,
      session.signIns.static?.tokens.refreshToken,
    ] as string[];
    for (const secret of secrets) {
      expect(stored).not.toContain(secret);
      expect(stored).not.toContain(secret.slice(-16));
    }
  });

  it("round trip: what is saved loads back, and deleting removes it", async () => {
    const session = sessionWithSecrets();
    await saveSession(kv, session);
    expect(await loadSession(kv, session.id)).toEqual(session);
    await deleteSession(kv, session.id);
    expect(await loadSession(kv, session.id)).toBeUndefined();
    expect(await kv.get(await sessionKey(session.id))).toBeNull();
  });

  it("a tampered, garbage or foreign record reads as no session, without throwing", async () => {
    const session = sessionWithSecrets();
    await saveSession(kv, session);
    const key = await sessionKey(session.id);
    const stored = (await kv.get(key)) as string;

    await kv.put(key, tamper(stored));
    expect(await loadSession(kv, session.id)).toBeUndefined();
    for (const garbage of [
      "not json",
      "null",
      JSON.stringify(session), // a plaintext record
      JSON.stringify({ v: 2, iv: "AAAAAAAAAAAAAAAA", ct: "AAAAAAAAAAAAAAAAAAAAAA" }),
      JSON.stringify({ v: 1, iv: "!!", ct: "??" }),
      JSON.stringify({ v: 1, iv: "AAAA", ct: "AAAA" }),
    ]) {
      await kv.put(key, garbage);
      expect(await loadSession(kv, session.id)).toBeUndefined();
    }

    // Another session's record under this key: it was encrypted with the other id's key.
    const other = createSession();
    await saveSession(kv, other);
    await kv.put(key, (await kv.get(await sessionKey(other.id))) as string);
    expect(await loadSession(kv, session.id)).toBeUndefined();
  });

  it("malformed ids read as none", async () => {
    expect(await loadSession(kv, undefined)).toBeUndefined();
    expect(await loadSession(kv, "")).toBeUndefined();
    expect(await loadSession(kv, "short")).toBeUndefined();
  });
});

describe("DCR registrations at rest", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  const keyEnv = (key: string = env.CLIENT_STATE_KEY) => ({
    CLIENT_STATE: kv,
    CLIENT_STATE_KEY: key,
  });

  function registration(): ClientRegistration {
    return {
      issuer: `https://as-${crypto.randomUUID()}.example.com`,
      clientId: `client-${randomSecret(9)}`,
      clientSecret: `secret-${randomSecret()}`,
      tokenEndpointAuthMethod: "client_secret_basic",
      registrationClientUri: "https://as.example.com/register/client-1",
      registrationAccessToken: `rat-${randomSecret()}`,
    };
  }

  it("the stored value holds neither the client secret nor the registration access token", async () => {
    const record = registration();
    await createKvRegistrationStore(keyEnv()).put(record);
    const stored = (await kv.get(registrationKey(record.issuer))) as string;
    expect(JSON.parse(stored)).toEqual({ v: 1, iv: expect.any(String), ct: expect.any(String) });
    for (const secret of [record.clientSecret, record.registrationAccessToken] as string[]) {
      expect(stored).not.toContain(secret);
      expect(stored).not.toContain(secret.slice(-16));
    }
  });

  it("reads back under the same key and issuer, and deletes", async () => {
    const record = registration();
    await createKvRegistrationStore(keyEnv()).put(record);
    expect(await createKvRegistrationStore(keyEnv()).get(record.issuer)).toEqual(record);
    await createKvRegistrationStore(keyEnv()).delete(record.issuer);
    expect(await createKvRegistrationStore(keyEnv()).get(record.issuer)).toBeUndefined();
  });

  it("under another key, after tampering, or moved to another issuer it reads as absent, logged without secrets", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const record = registration();
    const store = createKvRegistrationStore(keyEnv());
    await store.put(record);
    const stored = (await kv.get(registrationKey(record.issuer))) as string;

    // Another CLIENT_STATE_KEY (rotated).
    expect(await createKvRegistrationStore(keyEnv(randomSecret())).get(record.issuer)).toBe(
      undefined,
    );
    // Tampered.
    await kv.put(registrationKey(record.issuer), tamper(stored));
    expect(await store.get(record.issuer)).toBeUndefined();
    // Moved to another issuer's key: the issuer is authenticated data.
    const otherIssuer = `https://as-${crypto.randomUUID()}.example.com`;
    await kv.put(registrationKey(otherIssuer), stored);
    expect(await store.get(otherIssuer)).toBeUndefined();
    // A plaintext record (written before encryption).
    await kv.put(registrationKey(record.issuer), JSON.stringify(record));
    expect(await store.get(record.issuer)).toBeUndefined();

    const lines = warn.mock.calls.map((args) => args.map(String).join(" "));
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      { level: "warn", event: "registration_unreadable", issuer: record.issuer },
      { level: "warn", event: "registration_unreadable", issuer: record.issuer },
      { level: "warn", event: "registration_unreadable", issuer: otherIssuer },
      { level: "warn", event: "registration_unreadable", issuer: record.issuer },
    ]);
    for (const line of lines) {
      expect(line).not.toContain(record.clientSecret);
      expect(line).not.toContain(record.registrationAccessToken);
      expect(line).not.toContain(env.CLIENT_STATE_KEY);
    }
    // An absent record is simply absent, not logged.
    expect(await store.get(`https://as-${crypto.randomUUID()}.example.com`)).toBeUndefined();
    expect(warn).toHaveBeenCalledTimes(4);
  });

  it("a missing or malformed CLIENT_STATE_KEY is a TypeError naming the variable", () => {
    const message =
      "CLIENT_STATE_KEY must be set to the base64url encoding of 32 random bytes (43 characters)";
    const missing = { CLIENT_STATE: kv } as Pick<Env, "CLIENT_STATE" | "CLIENT_STATE_KEY">;
    expect(() => createKvRegistrationStore(missing)).toThrow(TypeError);
    expect(() => createKvRegistrationStore(missing)).toThrow(new TypeError(message));
    for (const bad of ["", "too-short", `${randomSecret()}=`, randomSecret(31), "!".repeat(43)])
      expect(() => createKvRegistrationStore(keyEnv(bad))).toThrow(new TypeError(message));
  });
});
