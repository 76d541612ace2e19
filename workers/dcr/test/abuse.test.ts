import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { expectOAuthError, INSPECTOR, setup } from "./support";

afterEach(() => vi.restoreAllMocks());

describe("initial access token (RFC 7591 §3) when DCR_INITIAL_ACCESS_TOKEN is set", () => {
  const vars = { DCR_INITIAL_ACCESS_TOKEN: "initial-token-for-tests" };

  it("refuses a registration without it: 401 with a Bearer challenge", async () => {
    const { register, cognito } = setup({ vars });
    const response = await register(INSPECTOR);
    expect(response.headers.get("www-authenticate")).toBe(
      'Bearer error="invalid_token", error_description="an initial access token is required to register"',
    );
    await expectOAuthError(response, 401, "invalid_token");
    expect(cognito.calls).toEqual([]);
  });

  it("refuses a wrong one", async () => {
    const { register } = setup({ vars });
    const response = await register(INSPECTOR, { authorization: "Bearer initial-token-for-test" });
    await expectOAuthError(response, 401, "invalid_token");
  });

  it("accepts the right one", async () => {
    const { register } = setup({ vars });
    const response = await register(INSPECTOR, { authorization: "Bearer initial-token-for-tests" });
    expect(response.status).toBe(201);
  });

  it("is not required when unset", async () => {
    const { register } = setup();
    expect((await register(INSPECTOR)).status).toBe(201);
  });
});

describe("per-IP rate limit on /register (Workers rate-limiting binding)", () => {
  it("answers 429 with Retry-After once the binding says no", async () => {
    const { worker, cognito } = setup();
    const keys: string[] = [];
    const limiter = {
      limit: async ({ key }: { key: string }) => {
        keys.push(key);
        return { success: false };
      },
    } as RateLimit;
    const response = await worker.fetch(
      new Request("http://localhost:3002/register", {
        method: "POST",
        headers: { "content-type": "application/json", "CF-Connecting-IP": "198.51.100.9" },
        body: JSON.stringify(INSPECTOR),
      }),
      { ...env, REGISTER_RATE_LIMITER: limiter },
      {} as ExecutionContext,
    );
    expect(response.headers.get("retry-after")).toBe("60");
    await expectOAuthError(
      response,
      429,
      "temporarily_unavailable",
      "too many registrations; retry later",
    );
    expect(keys).toEqual(["198.51.100.9"]);
    expect(cognito.calls).toEqual([]);
  });

  it("the real binding allows 10 a minute per IP", async () => {
    const { register } = setup();
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await register(INSPECTOR)).status);
    expect(statuses.slice(0, 10).every((s) => s === 201)).toBe(true);
    expect(statuses[10]).toBe(429);
  });
});

describe("cap on registrations per source per day", () => {
  it("refuses the registration over REGISTRATIONS_PER_SOURCE_PER_DAY", async () => {
    const { register, cognito } = setup({ vars: { REGISTRATIONS_PER_SOURCE_PER_DAY: "2" } });
    expect((await register(INSPECTOR)).status).toBe(201);
    expect((await register(INSPECTOR)).status).toBe(201);
    await expectOAuthError(
      await register(INSPECTOR),
      429,
      "temporarily_unavailable",
      "this source has reached its daily limit of registrations",
    );
    expect(cognito.callsOf("CreateUserPoolClient")).toHaveLength(2);
  });

  it("counts each source separately", async () => {
    const { register } = setup({ vars: { REGISTRATIONS_PER_SOURCE_PER_DAY: "1" } });
    expect((await register(INSPECTOR, {}, "192.0.2.10")).status).toBe(201);
    expect((await register(INSPECTOR, {}, "192.0.2.11")).status).toBe(201);
    expect((await register(INSPECTOR, {}, "192.0.2.10")).status).toBe(429);
  });
});

describe("audit log lines", () => {
  it("record register, update, delete and refusals, never a secret", async () => {
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((line: unknown) => {
      lines.push(String(line));
    });
    const { register, call } = setup({ vars: { DCR_INITIAL_ACCESS_TOKEN: "iat-secret-value" } });
    await register(INSPECTOR);
    const created = (await (
      await register(
        { ...INSPECTOR, token_endpoint_auth_method: "client_secret_basic" },
        { authorization: "Bearer iat-secret-value" },
      )
    ).json()) as Record<string, string>;
    const uri = new URL(created.registration_client_uri as string).pathname;
    const auth = { authorization: `Bearer ${created.registration_access_token}` };
    await call(uri, {
      method: "PUT",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({
        client_id: created.client_id,
        redirect_uris: ["http://localhost:6274/oauth/callback"],
        token_endpoint_auth_method: "client_secret_basic",
        scope: "openid",
      }),
    });
    await call(uri, { method: "DELETE", headers: auth });
    const events = lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((e) => e.audit === "dcr");
    expect(events.map((e) => [e.action, e.outcome ?? e.reason])).toEqual([
      ["register", "refused"],
      ["register", "created"],
      ["update", undefined],
      ["delete", "RFC 7592"],
    ]);
    expect(events[1]).toMatchObject({
      clientId: created.client_id,
      source: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    const all = lines.join("\n");
    for (const secret of [
      created.client_secret,
      created.registration_access_token,
      "iat-secret-value",
    ])
      expect(all).not.toContain(secret);
  });
});
