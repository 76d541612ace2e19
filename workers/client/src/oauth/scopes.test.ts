import { describe, expect, it } from "vitest";
import { OAuthClientError } from "./errors";
import { parseScopes, planStepUp, selectScopes, unionScopes } from "./scopes";

describe("MCP scope selection: challenge, else scopes_supported, else omitted", () => {
  it("prefers the challenge's scope", () => {
    expect(selectScopes("mcp-api/read", ["openid", "mcp-api/read", "mcp-api/write"])).toEqual([
      "mcp-api/read",
    ]);
  });
  it("falls back to scopes_supported", () => {
    expect(selectScopes(undefined, ["mcp-api/read", "mcp-api/write"])).toEqual([
      "mcp-api/read",
      "mcp-api/write",
    ]);
  });
  it("omits the scope when neither says", () => {
    expect(selectScopes(undefined, undefined)).toEqual([]);
    expect(selectScopes("", [])).toEqual([]);
  });
  it("parses and unions without duplicates, keeping order", () => {
    expect(parseScopes(" a  b a ")).toEqual(["a", "b"]);
    expect(unionScopes(["a", "b"], ["b", "c"])).toEqual(["a", "b", "c"]);
  });
});

describe("MCP step-up authorization: union of scopes, with a retry cap", () => {
  it("asks for the union of the requested and challenged scopes", () => {
    expect(
      planStepUp(
        { requested: ["openid", "mcp-api/read"], attempts: 0 },
        "mcp-api/read mcp-api/write",
        {
          maxAttempts: 2,
        },
      ),
    ).toEqual({ requested: ["openid", "mcp-api/read", "mcp-api/write"], attempts: 1 });
  });

  it("stops at the cap", () => {
    expect(() =>
      planStepUp({ requested: ["a"], attempts: 2 }, "b", { maxAttempts: 2 }),
    ).toThrowError(
      new OAuthClientError("step_up_limit", "gave up after 2 step-up authorization(s)"),
    );
  });

  it("stops when a second challenge asks for nothing new", () => {
    expect(() =>
      planStepUp({ requested: ["a", "b"], attempts: 1 }, "b", { maxAttempts: 3 }),
    ).toThrowError(/still refuses/);
  });
});
