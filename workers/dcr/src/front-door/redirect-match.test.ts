import { describe, expect, it } from "vitest";
import { isLoopbackRedirect, matchRedirectUri } from "./redirect-match";

describe("OAuth 2.1 §4.1.1: redirect URIs compare as exact strings", () => {
  const registered = ["https://app.example.com/cb", "com.example.app:/oauth"];

  it("returns the requested URI when it is registered", () => {
    expect(matchRedirectUri(registered, "https://app.example.com/cb")).toBe(
      "https://app.example.com/cb",
    );
    expect(matchRedirectUri(registered, "com.example.app:/oauth")).toBe("com.example.app:/oauth");
  });

  it.each([
    ["a trailing slash", "https://app.example.com/cb/"],
    ["another case", "https://APP.example.com/cb"],
    ["an added query", "https://app.example.com/cb?x=1"],
    ["another port", "https://app.example.com:8443/cb"],
    ["http for https", "http://app.example.com/cb"],
    ["a default port spelled out", "https://app.example.com:443/cb"],
  ])("refuses %s", (_, requested) => {
    expect(matchRedirectUri(registered, requested)).toBeUndefined();
  });

  it("an absent redirect_uri means the only registered one, and nothing when there are several", () => {
    expect(matchRedirectUri(["https://app.example.com/cb"], undefined)).toBe(
      "https://app.example.com/cb",
    );
    expect(matchRedirectUri(registered, undefined)).toBeUndefined();
    expect(matchRedirectUri([], undefined)).toBeUndefined();
  });
});

describe("RFC 8252 §7.3: a loopback redirect URI matches on any port", () => {
  it.each([
    ["127.0.0.1", "http://127.0.0.1:8765/callback", "http://127.0.0.1:51234/callback"],
    ["[::1]", "http://[::1]:8765/callback", "http://[::1]:4000/callback"],
    ["localhost", "http://localhost:8765/callback", "http://localhost:9999/callback"],
    [
      "a registration without a port",
      "http://127.0.0.1/callback",
      "http://127.0.0.1:8080/callback",
    ],
    ["a request without a port", "http://127.0.0.1:8765/cb?x=1", "http://127.0.0.1/cb?x=1"],
    [
      "an origin alone, as VS Code registers it",
      "http://127.0.0.1:33418",
      "http://127.0.0.1:40000",
    ],
    ["an origin alone against the root path", "http://127.0.0.1:33418/", "http://127.0.0.1:5000"],
  ])("%s", (_, registeredUri, requested) => {
    expect(matchRedirectUri([registeredUri], requested)).toBe(requested);
  });

  it.each([
    ["another path", "http://127.0.0.1:8765/callback", "http://127.0.0.1:1/other"],
    [
      "a path where an origin alone is registered",
      "http://127.0.0.1:33418",
      "http://127.0.0.1:1/cb",
    ],
    ["another query", "http://127.0.0.1:8765/cb?a=1", "http://127.0.0.1:1/cb?a=2"],
    ["another loopback host", "http://127.0.0.1:8765/callback", "http://localhost:8765/callback"],
    ["https", "https://127.0.0.1:8765/callback", "https://127.0.0.1:1/callback"],
    ["a non-loopback host", "http://example.com:8765/callback", "http://example.com:1/callback"],
    [
      "a non-canonical request",
      "http://127.0.0.1:8765/callback",
      "http://127.0.0.1:1/a/../callback",
    ],
  ])("not %s", (_, registeredUri, requested) => {
    expect(matchRedirectUri([registeredUri], requested)).toBeUndefined();
  });

  it("isLoopbackRedirect: http on a loopback host in canonical form only", () => {
    expect(isLoopbackRedirect("http://127.0.0.1:8765/cb")).toBe(true);
    expect(isLoopbackRedirect("http://[::1]/cb")).toBe(true);
    expect(isLoopbackRedirect("http://localhost:1/")).toBe(true);
    expect(isLoopbackRedirect("https://127.0.0.1/cb")).toBe(false);
    expect(isLoopbackRedirect("http://127.0.0.2/cb")).toBe(false);
    expect(isLoopbackRedirect("http://LOCALHOST/cb")).toBe(false);
    expect(isLoopbackRedirect("not a url")).toBe(false);
  });
});
