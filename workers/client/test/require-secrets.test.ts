import { env } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createApp } from "../src/app";
import { REQUIRED_SECRETS } from "../src/middleware/require-secrets";

const ORIGIN = "http://localhost:3000";

// Each refused request logs `secret_missing`; one test reads those lines.
beforeEach(() => vi.spyOn(console, "error").mockImplementation(() => {}));
afterEach(() => vi.restoreAllMocks());

/** The client with `vars` over the test environment, and a network that must not be called. */
function clientWith(vars: Record<string, string | undefined>) {
  const calls: string[] = [];
  const app = createApp({
    fetch: async (input) => {
      calls.push(String(input instanceof Request ? input.url : input));
      return new Response("unexpected", { status: 500 });
    },
  });
  const request = (path: string, init: RequestInit = {}) =>
    app.request(`${ORIGIN}${path}`, init, { ...env, ...vars });
  return { request, calls };
}

/** Expects the 503 of a missing secret, exactly. */
async function expectMissingSecret(response: Response, description: string) {
  expect(response.status).toBe(503);
  expect(response.headers.get("cache-control")).toBe("no-store");
  expect(response.headers.get("retry-after")).toBe("60");
  expect(await response.json()).toEqual({
    error: "temporarily_unavailable",
    error_description: description,
  });
}

describe("a required secret missing: 503 naming it, never a 500", () => {
  it("requires the static client's secret and the registration key", () => {
    expect(REQUIRED_SECRETS).toEqual(["STATIC_CLIENT_SECRET", "CLIENT_STATE_KEY"]);
  });

  it.each([
    ["absent", undefined],
    ["empty", ""],
    ["blank", " "],
  ])(
    "STATIC_CLIENT_SECRET %s: the start page and a sign-in answer 503, calling no one",
    async (_name, value) => {
      const { request, calls } = clientWith({ STATIC_CLIENT_SECRET: value });
      await expectMissingSecret(await request("/"), "STATIC_CLIENT_SECRET is not set");
      await expectMissingSecret(
        await request("/login/static", {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: "csrf=x",
        }),
        "STATIC_CLIENT_SECRET is not set",
      );
      expect(calls).toEqual([]);
    },
  );

  it("CLIENT_STATE_KEY absent: the callback and the discovery sign-in answer 503", async () => {
    const { request, calls } = clientWith({ CLIENT_STATE_KEY: undefined });
    await expectMissingSecret(
      await request("/callback?code=c&state=s"),
      "CLIENT_STATE_KEY is not set",
    );
    await expectMissingSecret(
      await request("/login/discovery", { method: "POST" }),
      "CLIENT_STATE_KEY is not set",
    );
    expect(calls).toEqual([]);
  });

  it("names every missing secret, and logs their names (no value)", async () => {
    const errors: string[] = [];
    vi.spyOn(console, "error").mockImplementation((line: unknown) => {
      errors.push(String(line));
    });
    const { request } = clientWith({ STATIC_CLIENT_SECRET: undefined, CLIENT_STATE_KEY: "" });
    await expectMissingSecret(
      await request("/"),
      "STATIC_CLIENT_SECRET, CLIENT_STATE_KEY are not set",
    );
    expect(errors.map((line) => JSON.parse(line))).toEqual([
      { event: "secret_missing", names: ["STATIC_CLIENT_SECRET", "CLIENT_STATE_KEY"] },
    ]);
  });

  it("serves the start page as usual once the secrets are set", async () => {
    // The page looks up where its forms may lead; this network has no metadata to give.
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const { request } = clientWith({});
    const response = await request("/");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
  });
});
