import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  authorizePath,
  browserOn,
  expectOAuthError,
  failingClientWrites,
  INSPECTOR,
  ISSUER,
  NOW,
  readTransaction,
  setup,
  storedCount,
  uniqueIp,
} from "./support";

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

describe("per-source rate limit on /register (Workers rate-limiting binding)", () => {
  /** A limiter that refuses every request and remembers the keys it was asked about. */
  function refusingLimiter() {
    const keys: string[] = [];
    const limiter = {
      limit: async ({ key }: { key: string }) => {
        keys.push(key);
        return { success: false };
      },
    } as RateLimit;
    return { keys, limiter };
  }

  it("answers 429 with Retry-After once the binding says no", async () => {
    const { worker, cognito } = setup();
    const { keys, limiter } = refusingLimiter();
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

  it("keys IPv6 by its /64 and an IPv4-mapped address by its IPv4 address", async () => {
    const { keys, limiter } = refusingLimiter();
    const { register } = setup({ vars: { REGISTER_RATE_LIMITER: limiter } });
    for (const ip of [
      "2001:db8:aa:bb::1",
      "2001:0db8:00aa:00bb:ffff:ffff:ffff:ffff",
      "2001:db8:aa:bc::1",
      "::ffff:198.51.100.9",
    ])
      expect((await register(INSPECTOR, {}, ip)).status).toBe(429);
    expect(keys).toEqual([
      "2001:db8:aa:bb::/64",
      "2001:db8:aa:bb::/64",
      "2001:db8:aa:bc::/64",
      "198.51.100.9",
    ]);
  });

  it("the real binding allows 10 a minute per IP", async () => {
    const { register } = setup();
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await register(INSPECTOR)).status);
    expect(statuses.slice(0, 10).every((s) => s === 201)).toBe(true);
    expect(statuses[10]).toBe(429);
  });

  it("the real binding allows 10 a minute per IPv6 /64, whichever of its addresses asks", async () => {
    const { register, source } = setup();
    const network = source.split("::")[0];
    const statuses: number[] = [];
    for (let i = 1; i <= 11; i++)
      statuses.push((await register(INSPECTOR, {}, `${network}:${i.toString(16)}::${i}`)).status);
    expect(statuses.slice(0, 10).every((s) => s === 201)).toBe(true);
    expect(statuses[10]).toBe(429);
  });
});

describe("cap on registrations per source per day", () => {
  it("refuses the registration over REGISTRATIONS_PER_SOURCE_PER_DAY", async () => {
    const { register, cognito } = setup({ vars: { REGISTRATIONS_PER_SOURCE_PER_DAY: "2" } });
    expect((await register(INSPECTOR)).status).toBe(201);
    expect((await register(INSPECTOR)).status).toBe(201);
    const refused = await register(INSPECTOR);
    // Until the next UTC day, when the counts start over (NOW is midnight UTC).
    expect(refused.headers.get("retry-after")).toBe(String(24 * 3600));
    await expectOAuthError(
      refused,
      429,
      "temporarily_unavailable",
      "this source has reached its daily limit of registrations",
    );
    expect(cognito.calls).toEqual([]);
  });

  it("counts each source separately; an IPv6 /64 is one source", async () => {
    const { register } = setup({ vars: { REGISTRATIONS_PER_SOURCE_PER_DAY: "1" } });
    expect((await register(INSPECTOR, {}, "192.0.2.10")).status).toBe(201);
    expect((await register(INSPECTOR, {}, "192.0.2.11")).status).toBe(201);
    expect((await register(INSPECTOR, {}, "192.0.2.10")).status).toBe(429);
    expect((await register(INSPECTOR, {}, "::ffff:192.0.2.11")).status).toBe(429);
    expect((await register(INSPECTOR, {}, "2001:db8:5:6::1")).status).toBe(201);
    expect((await register(INSPECTOR, {}, "2001:db8:5:6:a:b:c:d")).status).toBe(429);
    expect((await register(INSPECTOR, {}, "2001:db8:5:7::1")).status).toBe(201);
  });

  it("is exact under concurrency: 8 parallel registrations from one source against a cap of 3", async () => {
    const { register } = setup({ vars: { REGISTRATIONS_PER_SOURCE_PER_DAY: "3" } });
    const responses = await Promise.all(Array.from({ length: 8 }, () => register(INSPECTOR)));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(5);
    expect(await storedCount(responses)).toBe(3);
  });

  it("a refused request uses up nothing: invalid metadata, or the record not stored", async () => {
    const facade = setup({ vars: { REGISTRATIONS_PER_SOURCE_PER_DAY: "1" } });
    vi.spyOn(console, "error").mockImplementation(() => {});
    expect((await facade.register({ redirect_uris: ["http://example.com/cb"] })).status).toBe(400);
    const failing = failingClientWrites();
    const unstored = await facade.worker.fetch(
      new Request(`${ISSUER}/register`, {
        method: "POST",
        headers: { "content-type": "application/json", "CF-Connecting-IP": facade.source },
        body: JSON.stringify(INSPECTOR),
      }),
      { ...facade.env, REGISTRATIONS: failing },
      {} as ExecutionContext,
    );
    expect(unstored.status).toBe(500);
    expect((await facade.register(INSPECTOR)).status).toBe(201);
    expect((await facade.register(INSPECTOR)).status).toBe(429);
  });

  it("starts over on the next UTC day", async () => {
    let now = NOW + 23 * 3600 * 1000;
    const { register } = setup({ now: () => now, vars: { REGISTRATIONS_PER_SOURCE_PER_DAY: "1" } });
    expect((await register(INSPECTOR)).status).toBe(201);
    const refused = await register(INSPECTOR);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("3600");
    now += 3600 * 1000;
    expect((await register(INSPECTOR)).status).toBe(201);
  });
});

describe("global cap on registrations per day (REGISTRATIONS_PER_DAY)", () => {
  it("refuses the registration over it, whatever the source", async () => {
    const { register, cognito } = setup({
      now: () => NOW + 6 * 3600 * 1000,
      vars: { REGISTRATIONS_PER_DAY: "3" },
    });
    for (let i = 0; i < 3; i++)
      expect((await register(INSPECTOR, {}, uniqueIp())).status).toBe(201);
    const refused = await register(INSPECTOR, {}, uniqueIp());
    expect(refused.headers.get("retry-after")).toBe(String(18 * 3600));
    await expectOAuthError(
      refused,
      429,
      "temporarily_unavailable",
      "this server has reached its daily limit of registrations; retry tomorrow",
    );
    expect(cognito.calls).toEqual([]);
  });

  it("is exact under concurrency: of 12 parallel registrations from 12 sources against a cap of 5, 5 are made", async () => {
    const { register } = setup({ vars: { REGISTRATIONS_PER_DAY: "5" } });
    const responses = await Promise.all(
      Array.from({ length: 12 }, () => register(INSPECTOR, {}, uniqueIp())),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(7);
    expect(await storedCount(responses)).toBe(5);
  });

  it("counts CIMD clients too: over the cap, a new document URL's approval is refused", async () => {
    const facade = setup({ vars: { REGISTRATIONS_PER_DAY: "1" } });
    const clientId = "https://app.example.com/client.json";
    const redirectUri = "https://app.example.com/callback";
    facade.cognito.serveDocument(clientId, { client_id: clientId, redirect_uris: [redirectUri] });
    expect((await facade.register(INSPECTOR, {}, uniqueIp())).status).toBe(201);
    const browser = browserOn(facade);
    const page = await browser.get(
      authorizePath({ client_id: clientId, redirect_uri: redirectUri }),
    );
    const response = await browser.postForm("/authorize/decision", {
      transaction: readTransaction(await page.text()),
      decision: "approve",
    });
    const location = new URL(response.headers.get("location") ?? "");
    expect(`${location.origin}${location.pathname}`).toBe(redirectUri);
    expect(location.searchParams.get("error")).toBe("temporarily_unavailable");
    expect(location.searchParams.get("error_description")).toBe(
      "this server has reached its daily limit of registrations; retry tomorrow",
    );
    expect(facade.cognito.calls).toEqual([]);
  });

  it("0 turns it off", async () => {
    const { register } = setup({
      vars: { REGISTRATIONS_PER_DAY: "0", REGISTRATIONS_PER_SOURCE_PER_DAY: "0" },
    });
    for (let i = 0; i < 12; i++)
      expect((await register(INSPECTOR, {}, uniqueIp())).status).toBe(201);
  });
});

describe("RFC 7592 rate limit per client (MANAGE_RATE_LIMITER)", () => {
  async function registered(vars: Partial<Env> = {}) {
    const facade = setup({ vars });
    const body = (await (await facade.register(INSPECTOR)).json()) as Record<string, string>;
    const path = new URL(body.registration_client_uri as string).pathname;
    return {
      ...facade,
      path,
      clientId: body.client_id as string,
      token: body.registration_access_token,
    };
  }

  it("answers 429 with Retry-After once the binding says no, keyed by the client id", async () => {
    const keys: string[] = [];
    const limiter = {
      limit: async ({ key }: { key: string }) => {
        keys.push(key);
        return { success: false };
      },
    } as RateLimit;
    const { call, path, clientId, token, cognito } = await registered({
      MANAGE_RATE_LIMITER: limiter,
    });
    for (const method of ["GET", "PUT", "DELETE"]) {
      const response = await call(path, {
        method,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        ...(method === "PUT"
          ? { body: JSON.stringify({ ...INSPECTOR, client_id: clientId }) }
          : {}),
      });
      expect(response.headers.get("retry-after")).toBe("60");
      await expectOAuthError(
        response,
        429,
        "temporarily_unavailable",
        "too many management requests for this client; retry later",
      );
    }
    expect(keys).toEqual([clientId, clientId, clientId]);
    expect(cognito.calls).toEqual([]);
  });

  it("counts only authenticated requests: a wrong token cannot use up a client's allowance", async () => {
    const keys: string[] = [];
    const limiter = {
      limit: async ({ key }: { key: string }) => {
        keys.push(key);
        return { success: true };
      },
    } as RateLimit;
    const { call, path } = await registered({ MANAGE_RATE_LIMITER: limiter });
    const response = await call(path, { headers: { authorization: "Bearer wrong" } });
    expect(response.status).toBe(401);
    expect(keys).toEqual([]);
  });

  it("the real binding allows 10 a minute per client", async () => {
    const first = await registered();
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++)
      statuses.push(
        (await first.call(first.path, { headers: { authorization: `Bearer ${first.token}` } }))
          .status,
      );
    expect(statuses.slice(0, 10).every((s) => s === 200)).toBe(true);
    expect(statuses[10]).toBe(429);
    // Another client of the same source is not held back.
    const other = (await (await first.register(INSPECTOR)).json()) as Record<string, string>;
    const read = await first.call(new URL(other.registration_client_uri as string).pathname, {
      headers: { authorization: `Bearer ${other.registration_access_token}` },
    });
    expect(read.status).toBe(200);
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
