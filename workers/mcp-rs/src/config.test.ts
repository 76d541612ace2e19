import { describe, expect, it } from "vitest";
import { type ConfigEnv, readConfig } from "./config";

const BASE: ConfigEnv = {
  COGNITO_ISSUER: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123",
  AUTHORIZATION_SERVER: "https://auth.example.com/",
  RESOURCE_URL: "",
  READ_SCOPE: "mcp-api/read",
  WRITE_SCOPE: "mcp-api/write",
  REQUIRE_AUDIENCE: "false",
  CHALLENGE_ALL_SCOPES: "false",
  ALLOWED_ORIGINS: " https://app.example.com , http://localhost:* ,",
};

describe("configuration from wrangler vars", () => {
  it("parses the variables", () => {
    expect(readConfig(BASE)).toEqual({
      issuer: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123",
      authorizationServer: "https://auth.example.com",
      resourceUrl: undefined,
      readScope: "mcp-api/read",
      writeScope: "mcp-api/write",
      requireAudience: false,
      challengeAllScopes: false,
      allowedOrigins: ["https://app.example.com", "http://localhost:*"],
    });
  });

  it("turns the audience switch on only with the exact value true", () => {
    expect(readConfig({ ...BASE, REQUIRE_AUDIENCE: "true" }).requireAudience).toBe(true);
    expect(() => readConfig({ ...BASE, REQUIRE_AUDIENCE: "yes" })).toThrow(
      '"REQUIRE_AUDIENCE" must be "true" or "false"',
    );
  });

  it("turns challenging for every scope on only with the exact value true", () => {
    expect(readConfig({ ...BASE, CHALLENGE_ALL_SCOPES: "true" }).challengeAllScopes).toBe(true);
    expect(readConfig({ ...BASE, CHALLENGE_ALL_SCOPES: "" }).challengeAllScopes).toBe(false);
    for (const value of ["TRUE", "1", "yes", " true"])
      expect(() => readConfig({ ...BASE, CHALLENGE_ALL_SCOPES: value })).toThrow(
        new TypeError('"CHALLENGE_ALL_SCOPES" must be "true" or "false"'),
      );
  });

  it.each([
    [{ COGNITO_ISSUER: "issuer" }, '"COGNITO_ISSUER" must be an absolute URL'],
    [{ AUTHORIZATION_SERVER: "auth" }, '"AUTHORIZATION_SERVER" must be an absolute URL'],
    [{ RESOURCE_URL: "/mcp" }, '"RESOURCE_URL" must be an absolute URL'],
    [{ READ_SCOPE: "a b" }, '"READ_SCOPE" must be one scope token without spaces or quotes'],
  ])("refuses %j as a deployment mistake", (override, message) => {
    expect(() => readConfig({ ...BASE, ...override })).toThrow(new TypeError(message));
  });

  it.each([
    "COGNITO_ISSUER",
    "AUTHORIZATION_SERVER",
    "READ_SCOPE",
    "WRITE_SCOPE",
    "REQUIRE_AUDIENCE",
  ])("answers 503 naming %s while it is missing, not a 500", (name) => {
    for (const value of [undefined, "", " "])
      expect(() => readConfig({ ...BASE, [name]: value })).toThrow(
        expect.objectContaining({ status: 503, description: `${name} is not set` }),
      );
  });
});
