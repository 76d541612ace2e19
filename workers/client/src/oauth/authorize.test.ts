import * as oauth from "oauth4webapi";
import { describe, expect, it } from "vitest";
import { buildIdToken, createFakeFetch, json } from "../../test/fake-fetch";
import { buildAuthorizationRequest, isExpiring, processCallback, refreshTokens } from "./authorize";
import type { TraceStep } from "./http";
import type { ClientRegistration } from "./registration";

const ISSUER = "http://localhost:9229/us-east-1_LocalDev01";
const TOKEN = "http://localhost:9229/oauth2/token";
const as: oauth.AuthorizationServer = {
  issuer: ISSUER,
  authorization_endpoint: "http://localhost:9229/oauth2/authorize",
  token_endpoint: TOKEN,
  code_challenge_methods_supported: ["S256"],
};
const registration: ClientRegistration = {
  issuer: ISSUER,
  clientId: "static-client",
  clientSecret: "static-secret",
  tokenEndpointAuthMethod: "client_secret_post",
};
const RESOURCE = "http://localhost:3001/mcp";
const NOW = 1_800_000_000_000;

async function start(scopes = ["openid", "mcp-api/read"]) {
  return buildAuthorizationRequest(as, registration, {
    redirectUri: "http://localhost:3000/callback",
    resource: RESOURCE,
    scopes,
  });
}

async function formOf(request: Request | undefined): Promise<URLSearchParams> {
  return new URLSearchParams(new TextDecoder().decode(await request?.arrayBuffer()));
}

function callback(params: Record<string, string>): URL {
  const url = new URL("http://localhost:3000/callback");
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return url;
}

describe("authorization request: PKCE S256, state, nonce, RFC 8707 resource", () => {
  it("carries every parameter and keeps the secrets server-side", async () => {
    const { url, pending } = await start();
    const params = Object.fromEntries(url.searchParams);
    expect(params).toEqual({
      response_type: "code",
      client_id: "static-client",
      redirect_uri: "http://localhost:3000/callback",
      scope: "openid mcp-api/read",
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await oauth.calculatePKCECodeChallenge(pending.codeVerifier),
      code_challenge_method: "S256",
      resource: RESOURCE,
    });
    expect(url.href).not.toContain(pending.codeVerifier);
  });

  it("uses fresh values each time and no nonce without openid", async () => {
    const a = await start(["mcp-api/read"]);
    const b = await start(["mcp-api/read"]);
    expect(a.pending.state).not.toBe(b.pending.state);
    expect(a.pending.codeVerifier).not.toBe(b.pending.codeVerifier);
    expect(a.pending.nonce).toBeUndefined();
    expect(a.url.searchParams.has("nonce")).toBe(false);
  });
});

function tokenEndpoint(idTokenClaims?: Record<string, unknown>) {
  return createFakeFetch({
    [TOKEN]: () =>
      json({
        access_token: "at-1",
        refresh_token: "rt-1",
        token_type: "Bearer",
        expires_in: 3600,
        ...(idTokenClaims ? { id_token: buildIdToken(idTokenClaims) } : {}),
      }),
  });
}

const idClaims = (nonce: string | undefined) => ({
  iss: ISSUER,
  aud: "static-client",
  sub: "user-1",
  "cognito:username": "demo",
  email: "demo@example.com",
  iat: Math.floor(Date.now() / 1000),
  exp: Math.floor(Date.now() / 1000) + 3600,
  ...(nonce ? { nonce } : {}),
});

describe("RFC 6749 §4.1.2 callback: state, iss, code exchange with resource, nonce", () => {
  it("exchanges the code with the verifier, the secret and the resource", async () => {
    const { pending } = await start();
    const net = tokenEndpoint(idClaims(pending.nonce));
    const tokens = await processCallback(
      as,
      registration,
      pending,
      callback({ code: "c1", state: pending.state }),
      { fetch: net.fetch, now: () => NOW },
    );
    expect(tokens).toEqual({
      accessToken: "at-1",
      refreshToken: "rt-1",
      expiresAt: NOW + 3_600_000,
      user: { sub: "user-1", username: "demo", email: "demo@example.com" },
    });
    const body = await formOf(net.callsTo(TOKEN)[0]);
    expect(Object.fromEntries(body)).toEqual({
      grant_type: "authorization_code",
      code: "c1",
      redirect_uri: "http://localhost:3000/callback",
      code_verifier: pending.codeVerifier,
      resource: RESOURCE,
      client_id: "static-client",
      client_secret: "static-secret",
    });
  });

  it("refuses a tampered state without calling the token endpoint", async () => {
    const { pending } = await start();
    const net = tokenEndpoint();
    await expect(
      processCallback(as, registration, pending, callback({ code: "c1", state: "tampered" }), {
        fetch: net.fetch,
      }),
    ).rejects.toThrow('unexpected "state" response parameter value');
    expect(net.calls).toHaveLength(0);
  });

  it("refuses an ID token whose nonce differs", async () => {
    const { pending } = await start();
    const net = tokenEndpoint(idClaims("another-nonce"));
    await expect(
      processCallback(as, registration, pending, callback({ code: "c1", state: pending.state }), {
        fetch: net.fetch,
      }),
    ).rejects.toThrow('unexpected ID Token "nonce" claim value');
  });

  it("checks RFC 9207 iss when the server advertises it", async () => {
    const strict = { ...as, authorization_response_iss_parameter_supported: true };
    const { pending } = await start();
    const net = tokenEndpoint();
    await expect(
      processCallback(
        strict,
        registration,
        pending,
        callback({ code: "c1", state: pending.state, iss: "http://evil.example" }),
        {
          fetch: net.fetch,
        },
      ),
    ).rejects.toThrow('unexpected "iss" (issuer) response parameter value');
    await expect(
      processCallback(
        strict,
        registration,
        pending,
        callback({ code: "c1", state: pending.state }),
        {
          fetch: net.fetch,
        },
      ),
    ).rejects.toThrow('response parameter "iss" (issuer) missing');
    expect(net.calls).toHaveLength(0);
  });

  it("records the iss check in the trace, and an iss the server need not send", async () => {
    const strict = { ...as, authorization_response_iss_parameter_supported: true };
    const { pending } = await start();
    const trace: TraceStep[] = [];
    await processCallback(
      strict,
      registration,
      pending,
      callback({ code: "c1", state: pending.state, iss: ISSUER }),
      { fetch: tokenEndpoint(idClaims(pending.nonce)).fetch, trace: (step) => trace.push(step) },
    );
    expect(trace[0]).toEqual({
      step: "iss checked",
      url: ISSUER,
      fields: { authorization_response_iss_parameter_supported: "true" },
    });
    expect(trace[1]).toMatchObject({ step: "token request", url: TOKEN, status: 200 });

    const next = await start();
    const quiet: TraceStep[] = [];
    await processCallback(
      as,
      registration,
      next.pending,
      callback({ code: "c2", state: next.pending.state }),
      {
        fetch: tokenEndpoint(idClaims(next.pending.nonce)).fetch,
        trace: (step) => quiet.push(step),
      },
    );
    expect(quiet[0]).toEqual({
      step: "iss not sent (not advertised)",
      url: ISSUER,
      fields: { authorization_response_iss_parameter_supported: "false" },
    });
  });

  it("checks iss before reading an error response: a forged access_denied is no AS answer", async () => {
    const strict = { ...as, authorization_response_iss_parameter_supported: true };
    const { pending } = await start();
    const forged = processCallback(
      strict,
      registration,
      pending,
      callback({ error: "access_denied", state: pending.state, iss: "http://evil.example" }),
    );
    await expect(forged).rejects.toBeInstanceOf(oauth.OperationProcessingError);
    await expect(forged).rejects.toThrow('unexpected "iss" (issuer) response parameter value');
    await expect(
      processCallback(
        strict,
        registration,
        pending,
        callback({ error: "access_denied", state: pending.state, iss: ISSUER }),
      ),
    ).rejects.toMatchObject({ error: "access_denied" });
  });

  it("turns an error response into AuthorizationResponseError", async () => {
    const { pending } = await start();
    await expect(
      processCallback(
        as,
        registration,
        pending,
        callback({ error: "access_denied", state: pending.state }),
      ),
    ).rejects.toBeInstanceOf(oauth.AuthorizationResponseError);
  });

  it("refuses a pending authorization made for another client", async () => {
    const { pending } = await start();
    await expect(
      processCallback(as, { ...registration, clientId: "other" }, pending, callback({ code: "c" })),
    ).rejects.toMatchObject({ code: "state_mismatch" });
  });
});

describe("RFC 6749 §6 refresh with resource", () => {
  it("sends the secret and resource and keeps the old refresh token when none is returned", async () => {
    const net = createFakeFetch({
      [TOKEN]: () => json({ access_token: "at-2", token_type: "Bearer", expires_in: 60 }),
    });
    const refreshed = await refreshTokens(
      as,
      registration,
      { accessToken: "at-1", refreshToken: "rt-1", user: { sub: "user-1" } },
      RESOURCE,
      { fetch: net.fetch, now: () => NOW },
    );
    expect(refreshed).toEqual({
      accessToken: "at-2",
      refreshToken: "rt-1",
      expiresAt: NOW + 60_000,
      user: { sub: "user-1" },
    });
    const body = Object.fromEntries(await formOf(net.calls[0]));
    expect(body).toEqual({
      grant_type: "refresh_token",
      refresh_token: "rt-1",
      resource: RESOURCE,
      client_id: "static-client",
      client_secret: "static-secret",
    });
  });

  it("knows when a token is about to expire", () => {
    expect(isExpiring({ accessToken: "a", expiresAt: NOW + 30_000 }, NOW)).toBe(true);
    expect(isExpiring({ accessToken: "a", expiresAt: NOW + 120_000 }, NOW)).toBe(false);
    expect(isExpiring({ accessToken: "a" }, NOW)).toBe(false);
  });
});
