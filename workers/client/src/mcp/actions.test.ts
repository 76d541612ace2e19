import { describe, expect, it } from "vitest";
import { HomePage } from "../pages/home";
import { createSession } from "../session/session";
import { MCP_ACTIONS, parseMcpAction } from "./actions";

describe("an MCP action read from its form", () => {
  it("takes each action's own fields and nothing else", () => {
    expect(parseMcpAction("whoami", { csrf: "x", title: "ignored" })).toEqual({ kind: "whoami" });
    expect(
      parseMcpAction("create_context", { csrf: "x", title: "T", content: "C", id: "7" }),
    ).toEqual({ kind: "create_context", title: "T", content: "C" });
    expect(parseMcpAction("delete_context", { id: "ctx-1" })).toEqual({
      kind: "delete_context",
      id: "ctx-1",
    });
  });

  it("reads a missing or non-text field as empty", () => {
    expect(parseMcpAction("create_context", { title: new File([], "f") })).toEqual({
      kind: "create_context",
      title: "",
      content: "",
    });
  });

  it("knows no other kind (the refresh action is not an MCP call)", () => {
    for (const kind of ["refresh", "toString", "__proto__", "", "Tools"]) {
      expect(parseMcpAction(kind, {})).toBeUndefined();
    }
  });

  it("is listed on the start page, each with its form's path and label", async () => {
    const session = createSession();
    session.signIns.static = {
      issuer: "https://issuer.example",
      clientId: "c",
      resource: "https://mcp.example/mcp",
      scopes: ["mcp-api/read"],
      tokens: { accessToken: "a" },
    };
    const page = String(
      await HomePage({ appName: "App", mcpServerUrl: "https://mcp.example/mcp", session, now: 0 }),
    );
    for (const action of Object.values(MCP_ACTIONS)) {
      expect(page).toContain(`action="/mcp/static/${action.kind}"`);
      expect(page).toContain(`>${action.label}</button>`);
    }
  });
});
