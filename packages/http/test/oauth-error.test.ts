import { describe, expect, it } from "vitest";
import { OAuthError } from "../src";

describe("RFC 6749 §5.2 error response", () => {
  it("renders code and description as JSON, no-store, with its status", async () => {
    const response = new OAuthError("invalid_grant", "the code was used", 400).toResponse();
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.json()).toEqual({
      error: "invalid_grant",
      error_description: "the code was used",
    });
  });

  it("leaves error_description out when there is none, and answers 400 by default", async () => {
    const error = new OAuthError("invalid_request");
    expect(error.status).toBe(400);
    expect(error.body()).toEqual({ error: "invalid_request" });
    expect(await error.toResponse().json()).toEqual({ error: "invalid_request" });
    expect(new OAuthError("invalid_request", "").body()).toEqual({ error: "invalid_request" });
  });

  it("layers headers: defaults, then the renderer's, then the error's own", () => {
    const error = new OAuthError("temporarily_unavailable", "retry later", 429, {
      headers: { "Retry-After": "60", "WWW-Authenticate": 'Bearer realm="own"' },
    });
    const response = error.toResponse({
      "Cache-Control": "no-cache, no-store",
      Pragma: "no-cache",
      "WWW-Authenticate": "Bearer",
    });
    expect(response.status).toBe(429);
    expect(response.headers.get("cache-control")).toBe("no-cache, no-store");
    expect(response.headers.get("pragma")).toBe("no-cache");
    expect(response.headers.get("retry-after")).toBe("60");
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="own"');
  });

  it("is an Error named OAuthError whose message names code and description", () => {
    const cause = new Error("upstream");
    const error = new OAuthError("invalid_token", "expired", 401, { cause, scope: ["mcp:read"] });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("OAuthError");
    expect(error.message).toBe("invalid_token: expired");
    expect(error.cause).toBe(cause);
    expect(error.scope).toEqual(["mcp:read"]);
    expect(new OAuthError("access_denied").message).toBe("access_denied");
  });

  it("can be narrowed and subclassed by a worker", async () => {
    class CognitoError extends OAuthError<"invalid_client"> {
      override toResponse(): Response {
        return super.toResponse({ Pragma: "no-cache" });
      }
    }
    const error = new CognitoError("invalid_client", "no such client");
    expect(error).toBeInstanceOf(OAuthError);
    const response = error.toResponse();
    expect(response.headers.get("pragma")).toBe("no-cache");
    expect(await response.json()).toEqual({
      error: "invalid_client",
      error_description: "no such client",
    });
  });
});
