import { describe, expect, it } from "vitest";
import { scopesFor } from "../auth/scopes";
import { classifyMcpRequest, scopesToChallenge } from "./scope-policy";

const call = (name: unknown) => ({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name } });
const SCOPES = { readScope: "r", writeScope: "w" };

describe("which scopes an MCP request needs", () => {
  it.each([
    [{ jsonrpc: "2.0", id: 1, method: "initialize", params: {} }, ["r"]],
    [{ jsonrpc: "2.0", id: 1, method: "tools/list" }, ["r"]],
    [call("whoami"), ["r"]],
    [call("list_contexts"), ["r"]],
    [call("get_context"), ["r"]],
    [call("create_context"), ["r", "w"]],
    [call("delete_context"), ["r", "w"]],
    [call("no_such_tool"), ["r"]],
    [call("__proto__"), ["r"]],
    [call(42), ["r"]],
    [
      [call("whoami"), call("delete_context")],
      ["r", "w"],
    ],
    ["not an object", ["r"]],
  ])("%j needs %j", (body, scopes) => {
    expect(scopesFor(classifyMcpRequest(body), SCOPES)).toEqual(scopes);
  });
});

describe("MCP 2025-11-25 scope selection: which scopes a 401 challenge names", () => {
  it("names the scope basic access needs by default (least privilege)", () => {
    expect(scopesToChallenge({ ...SCOPES, challengeAllScopes: false })).toEqual(["r"]);
  });

  it("names every scope a tool needs with challengeAllScopes", () => {
    expect(scopesToChallenge({ ...SCOPES, challengeAllScopes: true })).toEqual(["r", "w"]);
  });
});
