import { describe, expect, it } from "vitest";
import { buildBearerChallenge } from "./challenge";

describe("RFC 6750 §3: WWW-Authenticate builder", () => {
  it("quotes every parameter and joins scopes with spaces", () => {
    expect(
      buildBearerChallenge({
        error: "insufficient_scope",
        errorDescription: "needs write",
        scope: ["a/read", "a/write"],
        resourceMetadata: "https://rs.example/.well-known/oauth-protected-resource/mcp",
      }),
    ).toBe(
      'Bearer error="insufficient_scope", error_description="needs write", scope="a/read a/write", resource_metadata="https://rs.example/.well-known/oauth-protected-resource/mcp"',
    );
  });

  it("escapes quotes and backslashes and removes control characters", () => {
    expect(
      buildBearerChallenge({
        error: "invalid_token",
        errorDescription: 'say "hi" \\ bye\r\nX-Injected: 1',
        resourceMetadata: "https://rs.example/prm",
      }),
    ).toBe(
      'Bearer error="invalid_token", error_description="say \\"hi\\" \\\\ bye  X-Injected: 1", resource_metadata="https://rs.example/prm"',
    );
  });

  it("omits what is absent", () => {
    expect(buildBearerChallenge({ resourceMetadata: "https://rs.example/prm" })).toBe(
      'Bearer resource_metadata="https://rs.example/prm"',
    );
  });
});
