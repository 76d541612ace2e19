import { describe, expect, it } from "vitest";
import { canonicalJson, groupFor, sharedClientName, slotFor } from "./groups";

const CALLBACK = "https://dcr.example.com/callback";
const POLICY = { accessTokenMinutes: 15 };
const PUBLIC = {
  grantTypes: ["authorization_code", "refresh_token"] as ("authorization_code" | "refresh_token")[],
  scope: "openid mcp-api/read mcp-api/write",
  tokenEndpointAuthMethod: "none" as const,
};

describe("groups: the settings Cognito must hold, named by their hash", () => {
  it("the same settings in another order are one group", async () => {
    const a = await groupFor(PUBLIC, CALLBACK, POLICY);
    const b = await groupFor(
      { ...PUBLIC, scope: "mcp-api/write openid mcp-api/read openid" },
      CALLBACK,
      POLICY,
    );
    expect(b.key).toBe(a.key);
    expect(a.key).toMatch(/^[0-9a-f]{32}$/);
    expect(a.kind).toBe("public");
    expect(a.config.AllowedOAuthScopes).toEqual(["mcp-api/read", "mcp-api/write", "openid"]);
    expect(a.config).not.toHaveProperty("ClientName");
  });

  it("each setting Cognito holds makes another group", async () => {
    const base = (await groupFor(PUBLIC, CALLBACK, POLICY)).key;
    const others = await Promise.all([
      groupFor({ ...PUBLIC, tokenEndpointAuthMethod: "client_secret_basic" }, CALLBACK, POLICY),
      groupFor({ ...PUBLIC, scope: "openid mcp-api/read" }, CALLBACK, POLICY),
      groupFor(PUBLIC, "https://other.example.com/callback", POLICY),
      groupFor(PUBLIC, CALLBACK, { accessTokenMinutes: 5 }),
      groupFor(
        {
          grantTypes: ["client_credentials"],
          scope: "mcp-api/read",
          tokenEndpointAuthMethod: "client_secret_basic",
        },
        CALLBACK,
        POLICY,
      ),
    ]);
    const keys = new Set([base, ...others.map((group) => group.key)]);
    expect(keys.size).toBe(6);
    expect(others.map((group) => group.kind)).toEqual([
      "confidential",
      "public",
      "public",
      "public",
      "machine",
    ]);
    // client_secret_basic and client_secret_post need the same app client: one group.
    const post = await groupFor(
      { ...PUBLIC, tokenEndpointAuthMethod: "client_secret_post" },
      CALLBACK,
      POLICY,
    );
    expect(post.key).toBe(others[0]?.key);
  });

  it("a slot is stable for a client id and spread over the group's slots", async () => {
    expect(await slotFor("dcr_abc", 4)).toBe(await slotFor("dcr_abc", 4));
    expect(await slotFor("dcr_abc", 1)).toBe(0);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 400; i++) {
      const slot = await slotFor(`client-${i}`, 4);
      counts[slot] = (counts[slot] ?? 0) + 1;
    }
    for (const count of counts) expect(count).toBeGreaterThan(60);
    await expect(slotFor("x", 0)).rejects.toThrow(TypeError);
  });

  it("names app clients within Cognito's ClientName charset, with the facade's prefix", async () => {
    const group = await groupFor(PUBLIC, CALLBACK, POLICY);
    const name = sharedClientName(group, 1);
    expect(name).toBe(`dcr-shared public ${group.key.slice(0, 12)} 1`);
    expect(name).toMatch(/^[\w\s+=,.@-]{1,128}$/);
  });

  it("canonicalJson sorts keys at every level", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: "x" } })).toBe(
      '{"a":{"c":"x","d":[1,{"e":3,"f":2}]},"b":1}',
    );
  });
});
