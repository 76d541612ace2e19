import { describe, expect, it } from "vitest";
import type { ClientConfig } from "../config";
import { buildLogoutUrl } from "./logout";

const ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Pool";
const config: ClientConfig = {
  appName: "App",
  cognitoIssuer: ISSUER,
  mcpServerUrl: new URL("https://mcp.example/mcp"),
  staticClientId: "static-client",
  staticClientSecret: "secret",
  redirectUri: "https://client.example/callback",
  staticScopes: ["openid"],
};

describe("Cognito logout URL (on the managed-login domain, never the issuer's host)", () => {
  it("uses end_session_endpoint where discovery names one", () => {
    const url = buildLogoutUrl(config, {
      issuer: ISSUER,
      end_session_endpoint: "https://login.example/logout",
      authorization_endpoint: "https://other.example/oauth2/authorize",
    });
    expect(url?.href).toBe(
      "https://login.example/logout?client_id=static-client&logout_uri=https%3A%2F%2Fclient.example%2F",
    );
  });

  it("else /logout at the authorization endpoint's origin", () => {
    const url = buildLogoutUrl(config, {
      issuer: ISSUER,
      authorization_endpoint: "https://login.example/oauth2/authorize",
    });
    expect(url?.origin + (url?.pathname ?? "")).toBe("https://login.example/logout");
    expect(url?.searchParams.get("client_id")).toBe("static-client");
  });

  it("is undefined without metadata or without either endpoint", () => {
    expect(buildLogoutUrl(config, undefined)).toBeUndefined();
    expect(buildLogoutUrl(config, { issuer: ISSUER })).toBeUndefined();
  });
});
