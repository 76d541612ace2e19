import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createWorker } from "../src/app";
import { clientKey } from "../src/storage/keys";
import { expectOAuthError, INSPECTOR, setup } from "./support";

afterEach(() => vi.restoreAllMocks());

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
    const { register, cognito } = setup();
    vi.spyOn(console, "error").mockImplementation(() => {});
    cognito.fail("CreateUserPoolClient", type);
    const response = await register(INSPECTOR);
    const body = await expectOAuthError(response, status, code, description);
    // Upstream text never reaches the client.
    expect(JSON.stringify(body)).not.toMatch(/upstream detail|arn:aws/);
    expect(cognito.callsOf("CreateUserPoolClient")).toHaveLength(1);
  });

  it("logs credential errors with their type, for operators", async () => {
    const { register, cognito } = setup();
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    cognito.fail("CreateUserPoolClient", "UnrecognizedClientException");
    await register(INSPECTOR);
    expect(errors.mock.calls.flat().join("\n")).toContain('"type":"UnrecognizedClientException"');
  });
});

describe("an unreachable Cognito", () => {
  it("is 503 temporarily_unavailable with Retry-After, not a 500 or 502", async () => {
    const { env: testEnv, source } = setup();
    vi.spyOn(console, "error").mockImplementation(() => {});
    const response = await createWorker({
      fetch: async () => {
        throw new TypeError("Network connection lost.");
      },
    }).fetch(
      new Request("http://localhost:3002/register", {
        method: "POST",
        headers: { "content-type": "application/json", "CF-Connecting-IP": source },
        body: JSON.stringify(INSPECTOR),
      }),
      testEnv,
      {} as ExecutionContext,
    );
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
    const { register, cognito, sleeps } = setup();
    cognito.fail("CreateUserPoolClient", "TooManyRequestsException", { times: 2 });
    const response = await register(INSPECTOR);
    expect(response.status).toBe(201);
    expect(cognito.callsOf("CreateUserPoolClient")).toHaveLength(3);
    // random() = 0.5 of a 200 ms, then 400 ms ceiling.
    expect(sleeps).toEqual([100, 200]);
  });

  it("retries a 500 InternalErrorException too", async () => {
    const { register, cognito } = setup();
    cognito.fail("CreateUserPoolClient", "InternalErrorException", { status: 500 });
    expect((await register(INSPECTOR)).status).toBe(201);
  });

  it("gives up after four attempts: 429 with Retry-After", async () => {
    const { register, cognito, sleeps } = setup();
    cognito.fail("CreateUserPoolClient", "TooManyRequestsException", { times: 10 });
    const response = await register(INSPECTOR);
    expect(response.headers.get("retry-after")).toBe("5");
    await expectOAuthError(
      response,
      429,
      "temporarily_unavailable",
      "the authorization server is busy; retry later",
    );
    expect(cognito.callsOf("CreateUserPoolClient")).toHaveLength(4);
    expect(sleeps).toEqual([100, 200, 400]);
  });
});

describe("nothing orphaned: a failed KV write deletes the Cognito client again", () => {
  it("compensates and answers 500", async () => {
    const { worker, cognito, source } = setup();
    vi.spyOn(console, "error").mockImplementation(() => {});
    const failingKv = new Proxy(env.REGISTRATIONS, {
      get(target, property) {
        if (property === "put")
          return async (key: string, ...rest: unknown[]) => {
            if (key.startsWith("client:")) throw new Error("KV put failed");
            return (target.put as (...a: unknown[]) => Promise<void>)(key, ...rest);
          };
        const value = Reflect.get(target, property);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const response = await worker.fetch(
      new Request("http://localhost:3002/register", {
        method: "POST",
        headers: { "content-type": "application/json", "CF-Connecting-IP": source },
        body: JSON.stringify(INSPECTOR),
      }),
      { ...env, REGISTRATIONS: failingKv },
      {} as ExecutionContext,
    );
    await expectOAuthError(
      response,
      500,
      "server_error",
      "the client could not be registered; retry later",
    );
    const created = cognito.callsOf("CreateUserPoolClient");
    const deleted = cognito.callsOf("DeleteUserPoolClient");
    expect(created).toHaveLength(1);
    expect(deleted).toHaveLength(1);
    const clientId = deleted[0]?.input.ClientId as string;
    expect(cognito.clients.has(clientId)).toBe(false);
    expect(await env.REGISTRATIONS.get(clientKey(clientId))).toBeNull();
  });
});

describe("nothing half-written: a failed KV write after an update gives Cognito its old configuration", () => {
  it("restores the Cognito client and answers 500", async () => {
    const facade = setup();
    vi.spyOn(console, "error").mockImplementation(() => {});
    const registered = await facade.register(INSPECTOR);
    const body = (await registered.json()) as Record<string, string>;
    const clientId = body.client_id as string;
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
