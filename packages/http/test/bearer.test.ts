import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildBearerChallenge, extractBearerToken, parseBearerAuthorization } from "../src";

describe("RFC 6750 §3 WWW-Authenticate challenge", () => {
  it("is `Bearer` alone without params", () => {
    expect(buildBearerChallenge()).toBe("Bearer");
    expect(buildBearerChallenge({ error: undefined, scope: [] })).toBe("Bearer");
  });

  it("quotes every param, in the order given, leaving out undefined ones", () => {
    expect(
      buildBearerChallenge({
        error: "insufficient_scope",
        error_description: undefined,
        scope: ["mcp:read", "mcp:write"],
        resource_metadata: "https://mcp.example/.well-known/oauth-protected-resource/mcp",
      }),
    ).toBe(
      'Bearer error="insufficient_scope", scope="mcp:read mcp:write", resource_metadata="https://mcp.example/.well-known/oauth-protected-resource/mcp"',
    );
  });

  it("escapes quotes and backslashes and replaces control characters (RFC 9110 §5.6.4)", () => {
    expect(buildBearerChallenge({ error_description: 'a "b" \\c\r\nd\u0000e\u007f' })).toBe(
      'Bearer error_description="a \\"b\\" \\\\c  d e "',
    );
  });

  it("yields one well-formed quoted-string per param, whatever the value", () => {
    const quotedString = /^"(?:[\t !#-[\]-~\u0080-\uffff]|\\[\t !-~\u0080-\uffff])*"$/;
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (value) => {
        const challenge = buildBearerChallenge({ error_description: value });
        const quoted = challenge.slice("Bearer error_description=".length);
        expect(quoted).toMatch(quotedString);
        // Unescaping gives back the value with its control characters as spaces.
        const unescaped = quoted.slice(1, -1).replace(/\\(.)/gs, "$1");
        // biome-ignore lint/suspicious/noControlCharactersInRegex: the characters replaced.
        expect(unescaped).toBe(value.replace(/[\u0000-\u001f\u007f]/g, " "));
      }),
    );
  });
});

describe("RFC 6750 §2.1 Authorization request header", () => {
  it("reads the one b64token after the scheme, whatever the scheme's case", () => {
    for (const header of [
      "Bearer abc.DEF-_~+/==",
      "bearer abc.DEF-_~+/==",
      "BEARER  abc.DEF-_~+/==",
    ])
      expect(parseBearerAuthorization(header)).toEqual({ kind: "token", token: "abc.DEF-_~+/==" });
  });

  it("tells no Bearer credentials from malformed ones", () => {
    for (const header of [null, undefined, "", "Basic YTpi", "Bearerabc", "Token abc"])
      expect(parseBearerAuthorization(header)).toEqual({ kind: "absent" });
    for (const header of [
      "Bearer",
      "Bearer ",
      "Bearer a b",
      "Bearer a,b",
      "Bearer =abc",
      "Bearer a=b",
      'Bearer "abc"',
      "Bearer\tabc",
    ])
      expect(parseBearerAuthorization(header), header).toEqual({ kind: "malformed" });
  });

  it("takes a request, its headers or the header's value", () => {
    const request = new Request("https://mcp.example/mcp", {
      headers: { authorization: "Bearer tok" },
    });
    expect(extractBearerToken(request)).toBe("tok");
    expect(extractBearerToken(request.headers)).toBe("tok");
    expect(extractBearerToken("Bearer tok")).toBe("tok");
    expect(extractBearerToken(new Request("https://mcp.example/mcp"))).toBeUndefined();
    expect(extractBearerToken("Bearer a b")).toBeUndefined();
    expect(extractBearerToken("Basic YTpi")).toBeUndefined();
  });
});
