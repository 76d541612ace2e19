import { OAuthError } from "@mcp-cognito-workers/http";
import { describe, expect, it } from "vitest";
import {
  basicCredentials,
  buildTokenResponse,
  cognitoOAuthRequest,
  processCognitoRevocationResponse,
  processCognitoTokenResponse,
  RELAY_RETRY_AFTER_SECONDS,
} from "./cognito-oauth";

const TOKEN_ENDPOINT = "https://auth.example.com/oauth2/token";

async function rejection(promise: Promise<unknown>): Promise<OAuthError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OAuthError) return error;
    throw error;
  }
  throw new Error("did not reject");
}

function cognito(status: number, body: unknown, type = "application/json") {
  return new Response(typeof body === "string" ? body : JSON.stringify(body), {
    status,
    headers: { "content-type": type },
  });
}

describe("cognitoOAuthRequest: the relay's request to Cognito", () => {
  function recording() {
    const requests: Request[] = [];
    const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      requests.push(new Request(input, init));
      return new Response("{}");
    }) as typeof globalThis.fetch;
    return { requests, fetch };
  }

  it("a public client: client_id in the form, no Authorization", async () => {
    const { requests, fetch } = recording();
    await cognitoOAuthRequest(
      TOKEN_ENDPOINT,
      new URLSearchParams({ grant_type: "refresh_token", refresh_token: "r" }),
      { clientId: "app" },
      fetch,
    );
    const [request] = requests;
    expect(request?.method).toBe("POST");
    expect(request?.url).toBe(TOKEN_ENDPOINT);
    expect(request?.headers.get("content-type")).toBe("application/x-www-form-urlencoded");
    expect(request?.headers.get("authorization")).toBeNull();
    expect(await request?.text()).toBe("grant_type=refresh_token&refresh_token=r&client_id=app");
  });

  it("a confidential client: Basic with form-encoded credentials, no client_id in the form", async () => {
    const { requests, fetch } = recording();
    await cognitoOAuthRequest(
      TOKEN_ENDPOINT,
      new URLSearchParams({ token: "t" }),
      { clientId: "app", clientSecret: "s:e cret+/" },
      fetch,
    );
    expect(requests[0]?.headers.get("authorization")).toBe(`Basic ${btoa("app:s%3Ae+cret%2B%2F")}`);
    expect(await requests[0]?.text()).toBe("token=t");
  });

  it("a network error becomes 503 temporarily_unavailable with Retry-After", async () => {
    const failing = (async () => {
      throw new TypeError("Network connection lost.");
    }) as typeof globalThis.fetch;
    const error = await rejection(
      cognitoOAuthRequest(TOKEN_ENDPOINT, new URLSearchParams(), { clientId: "a" }, failing),
    );
    expect([error.code, error.status]).toEqual(["temporarily_unavailable", 503]);
    expect(error.headers["Retry-After"]).toBe(String(RELAY_RETRY_AFTER_SECONDS));
  });

  it("basicCredentials form-encodes both parts", () => {
    expect(basicCredentials("a b", "c&d")).toBe(`Basic ${btoa("a+b:c%26d")}`);
  });
});

describe("processCognitoTokenResponse: RFC 6749 §5.1 passes through, §5.2 is re-described", () => {
  it("relays a successful body unchanged, with no-store", async () => {
    const text =
      '{"access_token":"a","id_token":"i","refresh_token":"r","token_type":"Bearer","expires_in":3600}';
    const body = await processCognitoTokenResponse(cognito(200, text));
    expect(body).toEqual(JSON.parse(text));
    const response = buildTokenResponse(body);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("pragma")).toBe("no-cache");
    expect(response.headers.get("content-type")).toBe("application/json;charset=UTF-8");
    expect(await response.text()).toBe(text);
  });

  it.each([
    ["invalid_grant", 400, {}],
    ["invalid_request", 400, {}],
    ["unauthorized_client", 400, {}],
    ["unsupported_grant_type", 400, {}],
    ["invalid_scope", 400, {}],
    ["invalid_client", 401, { "WWW-Authenticate": 'Basic realm="token"' }],
  ])("Cognito's %s → %s", async (code, status, headers) => {
    const error = await rejection(
      processCognitoTokenResponse(
        cognito(400, { error: code, error_description: "upstream detail arn:aws:..." }),
      ),
    );
    expect([error.code, error.status, error.headers]).toEqual([code, status, headers]);
    expect(error.description).not.toContain("upstream");
  });

  it.each([
    ["a 500", cognito(500, { error: "invalid_grant" })],
    ["a 503 page", cognito(503, "<html>", "text/html")],
    ["a 429", cognito(429, { error: "slow_down" })],
  ])("%s → 503 with Retry-After", async (_, res) => {
    const error = await rejection(processCognitoTokenResponse(res));
    expect([error.code, error.status]).toEqual(["temporarily_unavailable", 503]);
    expect(error.headers["Retry-After"]).toBe(String(RELAY_RETRY_AFTER_SECONDS));
  });

  it.each([
    ["a 200 without access_token", cognito(200, { token_type: "Bearer" })],
    ["a 200 that is not JSON", cognito(200, "<html>", "text/html")],
    ["a 200 array", cognito(200, [{ access_token: "a" }])],
    ["an unknown error code", cognito(400, { error: "redirect_mismatch" })],
    ["a 400 without a body", cognito(400, "")],
    ["a redirect", new Response(null, { status: 302, headers: { location: "https://x/" } })],
    ["an oversized body", cognito(200, { access_token: "a".repeat(64 * 1024) })],
  ])("%s → 502 server_error, never Cognito's body", async (_, res) => {
    const error = await rejection(processCognitoTokenResponse(res));
    expect([error.code, error.status]).toEqual(["server_error", 502]);
  });
});

describe("processCognitoRevocationResponse: RFC 7009 §2.2", () => {
  it("200 becomes an empty 200 with no-store", async () => {
    const response = await processCognitoRevocationResponse(cognito(200, "{}"));
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.text()).toBe("");
  });

  it("relays unsupported_token_type and invalid_client; a 5xx is 503", async () => {
    expect(
      (
        await rejection(
          processCognitoRevocationResponse(cognito(400, { error: "unsupported_token_type" })),
        )
      ).code,
    ).toBe("unsupported_token_type");
    expect(
      (await rejection(processCognitoRevocationResponse(cognito(400, { error: "invalid_client" }))))
        .status,
    ).toBe(401);
    expect((await rejection(processCognitoRevocationResponse(cognito(502, "")))).status).toBe(503);
  });
});
