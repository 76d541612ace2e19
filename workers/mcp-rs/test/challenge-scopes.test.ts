import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { mcpHeaders, ORIGIN, PRM_URL, READ, rpc, setup, type ToolAnswer, WRITE } from "./support";

type Setup = Awaited<ReturnType<typeof setup>>;

/** Sends a request to the app with `CHALLENGE_ALL_SCOPES` set to `value`. */
function callWith(app: Setup["app"], value: string) {
  const configured = { ...env, CHALLENGE_ALL_SCOPES: value };
  return (path: string, init: RequestInit = {}) =>
    app.request(new URL(path, ORIGIN).toString(), init, configured);
}

/** A tools/call of `name` with `token`. */
function toolCall(name: string, token: string | undefined, args: Record<string, unknown> = {}) {
  return {
    method: "POST",
    headers: mcpHeaders(token),
    body: rpc("tools/call", { name, arguments: args }),
  };
}

const EXPIRED = "the access token has expired";
const NEEDS_WRITE = `this operation needs the scopes ${READ} ${WRITE}`;

afterEach(() => vi.restoreAllMocks());

describe("RFC 6750 §3 challenges by default: least privilege, writing needs a step-up", () => {
  it("names only the read scope in a 401 without a token", async () => {
    const { app } = await setup();
    const res = await callWith(app, "false")("/mcp", toolCall("create_context", undefined));
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe(
      `Bearer scope="${READ}", resource_metadata="${PRM_URL}"`,
    );
  });

  it("names only the read scope in a 401 for an invalid token", async () => {
    const { app, token, clock } = await setup();
    const expired = await token({ exp: Math.floor(clock.now / 1000) - 3600 });
    const res = await callWith(app, "false")("/mcp", toolCall("whoami", expired));
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe(
      `Bearer error="invalid_token", error_description="${EXPIRED}", scope="${READ}", resource_metadata="${PRM_URL}"`,
    );
  });

  it("names read and write in the 403 for a write with a read-only token", async () => {
    const { app, token } = await setup();
    const readOnly = await token({ scope: `openid ${READ}` });
    const res = await callWith(app, "false")(
      "/mcp",
      toolCall("create_context", readOnly, { title: "t", content: "c" }),
    );
    expect(res.status).toBe(403);
    expect(res.headers.get("www-authenticate")).toBe(
      `Bearer error="insufficient_scope", error_description="${NEEDS_WRITE}", scope="${READ} ${WRITE}", resource_metadata="${PRM_URL}"`,
    );
  });

  it("is what an empty value means", async () => {
    const { app } = await setup();
    const res = await callWith(app, "")("/mcp");
    expect(res.headers.get("www-authenticate")).toBe(
      `Bearer scope="${READ}", resource_metadata="${PRM_URL}"`,
    );
  });
});

describe('RFC 6750 §3 challenges with CHALLENGE_ALL_SCOPES = "true": one sign-in can write', () => {
  it("names every scope the tools need in a 401 without a token", async () => {
    const { app } = await setup();
    const call = callWith(app, "true");
    for (const [path, init] of [
      ["/mcp", toolCall("whoami", undefined)],
      ["/mcp", {}],
      ["/v1/contexts", {}],
    ] as const) {
      const res = await call(path, init);
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe(
        `Bearer scope="${READ} ${WRITE}", resource_metadata="${PRM_URL}"`,
      );
      expect(await res.json()).toEqual({
        error: "invalid_token",
        error_description: "an access token is required",
      });
    }
  });

  it("names every scope the tools need in a 401 for an invalid token", async () => {
    const { app, token, clock } = await setup();
    const expired = await token({ exp: Math.floor(clock.now / 1000) - 3600 });
    const res = await callWith(app, "true")("/mcp", toolCall("whoami", expired));
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe(
      `Bearer error="invalid_token", error_description="${EXPIRED}", scope="${READ} ${WRITE}", resource_metadata="${PRM_URL}"`,
    );
  });

  it("still names the scopes the operation needs in a 403", async () => {
    const { app, token } = await setup();
    const call = callWith(app, "true");
    const readOnly = await token({ scope: `openid ${READ}` });
    const write = await call(
      "/mcp",
      toolCall("create_context", readOnly, { title: "t", content: "c" }),
    );
    expect(write.status).toBe(403);
    expect(write.headers.get("www-authenticate")).toBe(
      `Bearer error="insufficient_scope", error_description="${NEEDS_WRITE}", scope="${READ} ${WRITE}", resource_metadata="${PRM_URL}"`,
    );

    // A token without even the read scope, on a read: the challenge asks for what reading needs.
    const noRead = await token({ scope: "openid email" });
    const read = await call("/mcp", toolCall("whoami", noRead));
    expect(read.status).toBe(403);
    expect(read.headers.get("www-authenticate")).toBe(
      `Bearer error="insufficient_scope", error_description="this operation needs the scopes ${READ}", scope="${READ}", resource_metadata="${PRM_URL}"`,
    );
  });

  it("leaves the protected resource metadata as it is", async () => {
    const { app } = await setup();
    for (const value of ["true", "false"]) {
      const res = await callWith(app, value)("/.well-known/oauth-protected-resource/mcp");
      const body = (await res.json()) as { scopes_supported: string[] };
      expect(body.scopes_supported).toEqual([READ, WRITE]);
    }
  });

  it("lets a token with the challenged scopes write", async () => {
    const { app, token } = await setup();
    const call = callWith(app, "true");
    const granted = await token({ sub: crypto.randomUUID(), scope: `${READ} ${WRITE}` });
    const res = await call(
      "/mcp",
      toolCall("create_context", granted, { title: "one sign-in", content: "c" }),
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as ToolAnswer;
    expect(body.result?.isError).toBeFalsy();
    expect(body.result?.structuredContent).toMatchObject({ title: "one sign-in" });
  });
});

describe("CHALLENGE_ALL_SCOPES: a value other than true or false is a deployment mistake", () => {
  it.each([["TRUE"], ["yes"], ["1"]])(
    "answers %j with 500 and logs the variable",
    async (value) => {
      const logged: string[] = [];
      vi.spyOn(console, "error").mockImplementation((line: unknown) => {
        logged.push(String(line));
      });
      vi.spyOn(console, "log").mockImplementation(() => {});
      const { app } = await setup();
      const res = await callWith(app, value)("/mcp");
      expect(res.status).toBe(500);
      expect(res.headers.get("www-authenticate")).toBeNull();
      expect(await res.json()).toEqual({
        error: "server_error",
        error_description: "internal error",
      });
      const events = logged.map((line) => JSON.parse(line) as { event: string; message?: string });
      expect(events.find((entry) => entry.event === "unhandled_error")).toMatchObject({
        name: "TypeError",
        message: '"CHALLENGE_ALL_SCOPES" must be "true" or "false"',
      });
    },
  );
});
