import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createApp } from "../src/app";
import {
  expectOAuthError,
  failingClientWrites,
  INSPECTOR,
  ISSUER,
  seedLegacyRegistration,
  setup,
} from "./support";

afterEach(() => vi.restoreAllMocks());

// Registration calls Cognito no more; its errors meet a registration with its own app client
// (RFC 7592), the first sign-in of a group (which creates its shared app client, see
// shared-app-clients.test.ts) and the daily run. They are translated in one place.

/** A registration with its own app client, and an RFC 7592 PUT of it through `fetchImpl`. */
async function legacyUpdate(options: { fetch?: typeof fetch; env?: Partial<Env> } = {}) {
  const facade = setup();
  const seeded = await seedLegacyRegistration(facade, {
    relayCallbackUrl: `${ISSUER}/callback`,
  });
  const worker = options.fetch ? createApp({ fetch: options.fetch }) : facade.worker;
  const put = (change: Record<string, unknown> = {}) =>
    worker.fetch(
      new Request(`${ISSUER}/register/${seeded.clientId}`, {
        method: "PUT",
        headers: {
          authorization: `Bearer ${seeded.registrationAccessToken}`,
          "content-type": "application/json",
          "CF-Connecting-IP": facade.source,
        },
        body: JSON.stringify({
          client_id: seeded.clientId,
          redirect_uris: seeded.record.metadata.redirectUris,
          token_endpoint_auth_method: "none",
          ...change,
        }),
      }),
      { ...facade.env, ...options.env },
      {} as ExecutionContext,
    );
  return { ...facade, ...seeded, put };
}

describe("Cognito __type → OAuth error, in one place", () => {
  it.each([
    ["InvalidParameterException", 400, "invalid_client_metadata", /refused the client metadata/],
    [
      "ScopeDoesNotExistException",
      400,
      "invalid_client_metadata",
      '"scope" names a scope that does not exist',
    ],
    [
      "InvalidOAuthFlowException",
      400,
      "invalid_client_metadata",
      /"grant_types" is not a combination/,
    ],
    [
      "LimitExceededException",
      503,
      "temporarily_unavailable",
      "the authorization server has reached its limit of registered clients",
    ],
    [
      "UnrecognizedClientException",
      502,
      "server_error",
      "the authorization server could not be reached",
    ],
    [
      "InvalidSignatureException",
      502,
      "server_error",
      "the authorization server could not be reached",
    ],
    ["AccessDeniedException", 502, "server_error", "the authorization server could not be reached"],
    [
      "NotAuthorizedException",
      502,
      "server_error",
      "the authorization server could not be reached",
    ],
  ] as const)("%s → %i %s", async (type, status, code, description) => {
    const { put, cognito } = await legacyUpdate();
    vi.spyOn(console, "error").mockImplementation(() => {});
    cognito.fail("UpdateUserPoolClient", type);
    const response = await put();
    const body = await expectOAuthError(response, status, code, description);
    // Upstream text never reaches the client.
    expect(JSON.stringify(body)).not.toMatch(/upstream detail|arn:aws/);
    expect(cognito.callsOf("UpdateUserPoolClient")).toHaveLength(1);
  });

  it("logs credential errors with their type, for operators", async () => {
    const { put, cognito } = await legacyUpdate();
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    cognito.fail("UpdateUserPoolClient", "UnrecognizedClientException");
    await put();
    expect(errors.mock.calls.flat().join("\n")).toContain('"type":"UnrecognizedClientException"');
  });
});

describe("an unreachable Cognito", () => {
  it("is 503 temporarily_unavailable with Retry-After, not a 500 or 502", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const { put } = await legacyUpdate({
      fetch: async () => {
        throw new TypeError("Network connection lost.");
      },
    });
    const response = await put();
    expect(response.headers.get("retry-after")).toBe("5");
    await expectOAuthError(
      response,
      503,
      "temporarily_unavailable",
      "the authorization server could not be reached; retry later",
    );
  });
});

describe("throttling (HTTP 400 TooManyRequestsException) is retried with backoff and jitter", () => {
  it("retries and then succeeds", async () => {
    const { put, cognito, sleeps } = await legacyUpdate();
    cognito.fail("UpdateUserPoolClient", "TooManyRequestsException", { times: 2 });
    const response = await put();
    expect(response.status).toBe(200);
    expect(cognito.callsOf("UpdateUserPoolClient")).toHaveLength(3);
    // random() = 0.5 of a 200 ms, then 400 ms ceiling.
    expect(sleeps).toEqual([100, 200]);
  });

  it("retries a 500 InternalErrorException too", async () => {
    const { put, cognito } = await legacyUpdate();
    cognito.fail("UpdateUserPoolClient", "InternalErrorException", { status: 500 });
    expect((await put()).status).toBe(200);
  });

  it("gives up after four attempts: 429 with Retry-After", async () => {
    const { put, cognito, sleeps } = await legacyUpdate();
    cognito.fail("UpdateUserPoolClient", "TooManyRequestsException", { times: 10 });
    const response = await put();
    expect(response.headers.get("retry-after")).toBe("5");
    await expectOAuthError(
      response,
      429,
      "temporarily_unavailable",
      "the authorization server is busy; retry later",
    );
    expect(cognito.callsOf("UpdateUserPoolClient")).toHaveLength(4);
    expect(sleeps).toEqual([100, 200, 400]);
  });
});

describe("nothing half-written: a registration whose record cannot be stored", () => {
  it("answers 500, and nothing was made in Cognito", async () => {
    const { worker, cognito, source } = setup();
    vi.spyOn(console, "error").mockImplementation(() => {});
    const response = await worker.fetch(
      new Request(`${ISSUER}/register`, {
        method: "POST",
        headers: { "content-type": "application/json", "CF-Connecting-IP": source },
        body: JSON.stringify(INSPECTOR),
      }),
      { ...env, REGISTRATIONS: failingClientWrites() },
      {} as ExecutionContext,
    );
    await expectOAuthError(
      response,
      500,
      "server_error",
      "the client could not be registered; retry later",
    );
    expect(cognito.calls).toEqual([]);
  });
});

describe("nothing half-written: a failed KV write after an update gives Cognito its old configuration", () => {
  it("restores the Cognito client and answers 500", async () => {
    const facade = setup();
    vi.spyOn(console, "error").mockImplementation(() => {});
    const seeded = await seedLegacyRegistration(facade, {
      metadata: { redirectUris: INSPECTOR.redirect_uris, clientName: "Inspector" },
      relayCallbackUrl: `${ISSUER}/callback`,
    });
    const clientId = seeded.clientId;
    const body = {
      registration_client_uri: `${ISSUER}/register/${clientId}`,
      registration_access_token: seeded.registrationAccessToken,
    };
    const before = structuredClone(facade.cognito.clients.get(clientId));
    const failingKv = new Proxy(env.REGISTRATIONS, {
      get(target, property) {
        if (property === "put") return async () => Promise.reject(new Error("KV put failed"));
        const value = Reflect.get(target, property);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const response = await facade.worker.fetch(
      new Request(body.registration_client_uri as string, {
        method: "PUT",
        headers: {
          authorization: `Bearer ${body.registration_access_token}`,
          "content-type": "application/json",
          "CF-Connecting-IP": facade.source,
        },
        body: JSON.stringify({
          ...INSPECTOR,
          client_id: clientId,
          client_name: "Another name",
          scope: "openid",
        }),
      }),
      { ...facade.env, REGISTRATIONS: failingKv },
      {} as ExecutionContext,
    );
    await expectOAuthError(
      response,
      500,
      "server_error",
      "the client could not be updated; retry later",
    );
    const updates = facade.cognito.callsOf("UpdateUserPoolClient");
    expect(updates).toHaveLength(2);
    expect(updates[0]?.input.ClientName).toBe("dcr-Another name");
    expect(updates[1]?.input.ClientName).toBe(before?.ClientName);
    expect(updates[1]?.input.AllowedOAuthScopes).toEqual(before?.AllowedOAuthScopes);
    expect(facade.cognito.clients.get(clientId)?.CallbackURLs).toEqual(before?.CallbackURLs);
  });
});
