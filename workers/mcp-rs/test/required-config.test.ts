import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { mcpHeaders, ORIGIN, rpc, setup } from "./support";

afterEach(() => vi.restoreAllMocks());

/** The variables without a default. */
const REQUIRED = [
  "COGNITO_ISSUER",
  "AUTHORIZATION_SERVER",
  "READ_SCOPE",
  "WRITE_SCOPE",
  "REQUIRE_AUDIENCE",
] as const;

describe.each(REQUIRED)(
  "%s has no default: missing, every request answers 503 naming it",
  (name) => {
    it.each([
      ["absent", undefined],
      ["empty", ""],
      ["blank", "  "],
    ])(
      "%s: /mcp, the metadata and /health answer 503, and the log names it",
      async (_name, value) => {
        const lines: string[] = [];
        vi.spyOn(console, "error").mockImplementation((line: unknown) => {
          lines.push(String(line));
        });
        const { app, token, upstream } = await setup();
        const vars = { ...env, [name]: value } as Env;
        const requests: [string, RequestInit][] = [
          ["/mcp", { method: "POST", headers: mcpHeaders(await token()), body: rpc("tools/list") }],
          ["/.well-known/oauth-protected-resource/mcp", {}],
          ["/health", {}],
        ];
        for (const [path, init] of requests) {
          const response = await app.request(new URL(path, ORIGIN).toString(), init, vars);
          expect(response.status).toBe(503);
          expect(response.headers.get("cache-control")).toBe("no-store");
          expect(response.headers.get("retry-after")).toBe("60");
          expect(await response.json()).toEqual({
            error: "temporarily_unavailable",
            error_description: `${name} is not set`,
          });
        }
        expect(upstream.count("/jwks.json")).toBe(0);
        const events = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
        expect(events.filter((e) => e.event === "configuration_missing")).toEqual(
          requests.map(() => ({
            level: "error",
            event: "configuration_missing",
            name,
          })),
        );
      },
    );
  },
);

describe("REQUIRE_AUDIENCE is a switch that must be set", () => {
  it('"false" is an explicit choice: tokens without aud are accepted', async () => {
    const { app, token } = await setup();
    const response = await app.request(
      new URL("/mcp", ORIGIN).toString(),
      { method: "POST", headers: mcpHeaders(await token()), body: rpc("tools/list") },
      { ...env, REQUIRE_AUDIENCE: "false" },
    );
    expect(response.status).toBe(200);
  });

  it("a malformed value is still a deployment mistake, not taken as either", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const { app } = await setup();
    const response = await app.request(
      new URL("/health", ORIGIN).toString(),
      {},
      {
        ...env,
        REQUIRE_AUDIENCE: "yes",
      },
    );
    expect(response.status).toBe(500);
  });
});
