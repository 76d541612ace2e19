import { describe, expect, it } from "vitest";
import { parseBearerChallenge } from "./challenge";

const withChallenge = (status: number, value: string) =>
  new Response(null, { status, headers: { "www-authenticate": value } });

describe("RFC 6750 §3 / RFC 9728 §5.1 Bearer challenge parsing", () => {
  it("reads resource_metadata and scope from a 401", async () => {
    const challenge = await parseBearerChallenge(
      withChallenge(
        401,
        'Bearer resource_metadata="http://localhost:3001/.well-known/oauth-protected-resource/mcp", scope="mcp-api/read"',
      ),
    );
    expect(challenge).toEqual({
      resourceMetadata: "http://localhost:3001/.well-known/oauth-protected-resource/mcp",
      scope: "mcp-api/read",
    });
  });

  it("finds the Bearer challenge among several, with escaped quotes", async () => {
    const challenge = await parseBearerChallenge(
      withChallenge(
        403,
        'Basic realm="x", Bearer error="insufficient_scope", scope="mcp-api/read mcp-api/write", error_description="needs \\"write\\""',
      ),
    );
    expect(challenge).toEqual({
      error: "insufficient_scope",
      scope: "mcp-api/read mcp-api/write",
      errorDescription: 'needs "write"',
    });
  });

  it("is case-insensitive on the scheme", async () => {
    const challenge = await parseBearerChallenge(withChallenge(401, 'bearer scope="a"'));
    expect(challenge).toEqual({ scope: "a" });
  });

  it("returns undefined without a Bearer challenge or on success", async () => {
    expect(await parseBearerChallenge(new Response(null, { status: 401 }))).toBeUndefined();
    expect(await parseBearerChallenge(withChallenge(401, 'Basic realm="x"'))).toBeUndefined();
    expect(await parseBearerChallenge(new Response("ok"))).toBeUndefined();
  });

  it("leaves the response body readable", async () => {
    const response = new Response("body", {
      status: 401,
      headers: { "www-authenticate": "Bearer" },
    });
    await parseBearerChallenge(response);
    expect(await response.text()).toBe("body");
  });
});
