import { describe, expect, it } from "vitest";
import {
  buildRedirect,
  type FrontDoorClient,
  MAX_NONCE_LENGTH,
  MAX_STATE_LENGTH,
  readAuthorizeParams,
  readClientId,
  validateAuthorizeRequest,
} from "./authorize-request";

const CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const REDIRECT = "https://app.example.com/cb";
const DEFAULTS = ["openid", "mcp-api/read"];
const CLIENT: FrontDoorClient = {
  clientId: "client-a",
  kind: "dcr",
  redirectUris: [REDIRECT],
  scope: "openid mcp-api/read mcp-api/write",
  tokenEndpointAuthMethod: "none",
  grantTypes: ["authorization_code", "refresh_token"],
};

function query(params: Record<string, string | undefined>, extra = ""): URLSearchParams {
  const q = new URLSearchParams();
  const all: Record<string, string | undefined> = {
    client_id: "client-a",
    redirect_uri: REDIRECT,
    response_type: "code",
    code_challenge: CHALLENGE,
    code_challenge_method: "S256",
    state: "s1",
    ...params,
  };
  for (const [name, value] of Object.entries(all)) if (value !== undefined) q.set(name, value);
  return new URLSearchParams(`${q}${extra}`);
}

const validate = (params: Record<string, string | undefined> = {}, extra = "", client = CLIENT) =>
  validateAuthorizeRequest(query(params, extra), client, DEFAULTS);

describe("OAuth 2.1 §4.1.1: a valid authorization request", () => {
  it("is read into what the transaction carries", () => {
    expect(
      validate({
        scope: "openid mcp-api/write",
        resource: "https://mcp.example.com/mcp",
        nonce: "n",
      }),
    ).toEqual({
      clientId: "client-a",
      redirectUri: REDIRECT,
      redirectUriGiven: true,
      state: "s1",
      codeChallenge: CHALLENGE,
      scope: "openid mcp-api/write",
      resource: "https://mcp.example.com/mcp",
      nonce: "n",
    });
  });

  it("without redirect_uri uses the one registered, and remembers it was not sent", () => {
    expect(validate({ redirect_uri: undefined })).toMatchObject({
      redirectUri: REDIRECT,
      redirectUriGiven: false,
    });
  });

  it("drops offline_access and repeated scopes", () => {
    expect(validate({ scope: "openid offline_access openid mcp-api/read" })).toMatchObject({
      scope: "openid mcp-api/read",
    });
  });

  it("asks for the default scopes the client may have when scope is absent or only offline_access", () => {
    expect(validate({ scope: undefined })).toMatchObject({ scope: "openid mcp-api/read" });
    expect(validate({ scope: "offline_access" })).toMatchObject({ scope: "openid mcp-api/read" });
    const narrow = { ...CLIENT, scope: "mcp-api/write" };
    expect(validate({ scope: undefined }, "", narrow)).toMatchObject({ scope: "mcp-api/write" });
    // Never empty: Cognito would grant every scope of the app client for an empty one.
    expect(validate({ scope: "offline_access" }, "", narrow)).toMatchObject({
      scope: "mcp-api/write",
    });
  });

  it("carries prompt as sent", () => {
    expect(validate({ prompt: "login consent" })).toMatchObject({ prompt: "login consent" });
  });
});

describe("OAuth 2.1 §4.1.2.1: errors before the redirect URI is trusted are pages", () => {
  it.each([
    [
      { redirect_uri: "https://evil.example.net/cb" },
      "",
      "The redirect_uri is not registered for this client.",
    ],
    [{}, `&redirect_uri=${encodeURIComponent(REDIRECT)}`, "redirect_uri must not be repeated."],
  ])("%o%s", (params, extra, message) => {
    expect(validate(params, extra)).toEqual({ kind: "page", message });
  });

  it("no redirect_uri with several registered", () => {
    const two = { ...CLIENT, redirectUris: [REDIRECT, "https://app.example.com/b"] };
    expect(validate({ redirect_uri: undefined }, "", two)).toEqual({
      kind: "page",
      message: "The request names no redirect_uri, and the client has more than one.",
    });
  });

  it("a client not registered for the code flow", () => {
    const machine = { ...CLIENT, grantTypes: ["client_credentials"] };
    expect(validate({}, "", machine)).toMatchObject({ kind: "page" });
  });

  it("readClientId: missing, empty and repeated client_id are pages", () => {
    expect(readClientId(new URLSearchParams("client_id=a"))).toBe("a");
    expect(readClientId(new URLSearchParams(""))).toMatchObject({ kind: "page" });
    expect(readClientId(new URLSearchParams("client_id="))).toMatchObject({ kind: "page" });
    expect(readClientId(new URLSearchParams("client_id=a&client_id=a"))).toEqual({
      kind: "page",
      message: "client_id must not be repeated.",
    });
  });
});

describe("RFC 6749 §4.1.2.1: other errors go back to the redirect URI with state", () => {
  it.each([
    [{ response_type: undefined }, "invalid_request"],
    [{ response_type: "token" }, "unsupported_response_type"],
    [{ response_type: "code id_token" }, "unsupported_response_type"],
    [{ code_challenge: undefined }, "invalid_request"],
    [{ code_challenge_method: undefined }, "invalid_request"],
    [{ code_challenge_method: "plain" }, "invalid_request"],
    [{ code_challenge: `${CHALLENGE}A` }, "invalid_request"],
    [{ code_challenge: CHALLENGE.replace("-", "+") }, "invalid_request"],
    [{ scope: "openid email" }, "invalid_scope"],
    [{ resource: "relative/path" }, "invalid_target"],
    [{ resource: "https://mcp.example.com/#f" }, "invalid_target"],
    [{ resource: `https://mcp.example.com/${"a".repeat(2048)}` }, "invalid_target"],
    [{ nonce: "a".repeat(MAX_NONCE_LENGTH + 1) }, "invalid_request"],
    [{ nonce: "line\nbreak" }, "invalid_request"],
    [{ request: "x" }, "invalid_request"],
    [{ request_uri: "urn:x" }, "invalid_request"],
  ])("%o → %s", (params, error) => {
    expect(validate(params)).toMatchObject({
      kind: "redirect",
      redirectUri: REDIRECT,
      state: "s1",
      error,
    });
  });

  it("a repeated parameter is named", () => {
    expect(validate({}, "&code_challenge=x")).toMatchObject({
      kind: "redirect",
      error: "invalid_request",
      description: '"code_challenge" must not be repeated',
    });
  });

  it("a repeated or over-long state is not echoed", () => {
    const repeated = validate({}, "&state=s2");
    expect(repeated).toMatchObject({ kind: "redirect", error: "invalid_request" });
    expect(repeated).not.toHaveProperty("state");
    const long = validate({ state: "s".repeat(MAX_STATE_LENGTH + 1) });
    expect(long).toMatchObject({ kind: "redirect", error: "invalid_request" });
    expect(long).not.toHaveProperty("state");
    expect(validate({ state: "s".repeat(MAX_STATE_LENGTH) })).not.toHaveProperty("kind");
  });

  it("names the refused scope", () => {
    expect(validate({ scope: "openid admin" })).toMatchObject({
      error: "invalid_scope",
      description: 'the scope "admin" is not allowed for this client',
    });
  });
});

describe("readAuthorizeParams and buildRedirect", () => {
  it("reads the first of each known parameter and lists the repeated ones", () => {
    const { params, repeated } = readAuthorizeParams(
      new URLSearchParams("state=a&state=b&scope=x&unknown=1&unknown=2"),
    );
    expect(params).toEqual({ state: "a", scope: "x" });
    expect(repeated).toEqual(["state"]);
  });

  it("adds the parameters to the redirect URI's query, leaving out undefined ones", () => {
    expect(
      buildRedirect("https://app.example.com/cb?tenant=7", {
        code: "c d",
        state: undefined,
        iss: "http://localhost:3002",
      }),
    ).toBe("https://app.example.com/cb?tenant=7&code=c+d&iss=http%3A%2F%2Flocalhost%3A3002");
  });
});
