import { describe, expect, it } from "vitest";
import type { PoolTemplate } from "../config/pool-template";
import type { UserPoolClient } from "../store/records";
import {
  buildUserPoolClient,
  CLIENT_ID_LENGTH,
  CLIENT_SECRET_LENGTH,
  randomAlphanumeric,
} from "./client-config";
import { CognitoError } from "./cognito-error";

const POOL_ID = "us-east-1_Test01";
const NOW = 1_700_000_000_123;
const TEMPLATE: PoolTemplate = {
  userPoolName: "test-pool",
  featurePlan: "ESSENTIALS",
  usernameCaseSensitive: false,
  allowSelfSignUp: false,
  passwordPolicy: {
    minimumLength: 8,
    requireLowercase: true,
    requireUppercase: true,
    requireNumbers: true,
    requireSymbols: true,
    temporaryPasswordValidityDays: 7,
  },
  domainPrefix: "test",
  resourceServers: [
    {
      identifier: "api",
      name: "API",
      scopes: [
        { name: "read", description: "" },
        { name: "write", description: "" },
      ],
    },
  ],
  staticClient: { ClientName: "static" },
};
const CONTEXT = { template: TEMPLATE, userPoolId: POOL_ID, now: NOW };

function build(
  input: Record<string, unknown>,
  context: Partial<Parameters<typeof buildUserPoolClient>[1]> = {},
) {
  return buildUserPoolClient(
    { UserPoolId: POOL_ID, ClientName: "app", ...input },
    { ...CONTEXT, ...context },
  );
}

function errorOf(fn: () => unknown): { type: string; message: string } {
  try {
    fn();
  } catch (error) {
    if (error instanceof CognitoError) return { type: error.type, message: error.message };
    throw error;
  }
  throw new Error("expected a CognitoError");
}

describe("buildUserPoolClient: a new client", () => {
  it("has Cognito's defaults, in Cognito's field order, with epoch-second timestamps", () => {
    const client = build({});
    expect(Object.keys(client)).toEqual([
      "UserPoolId",
      "ClientName",
      "ClientId",
      "LastModifiedDate",
      "CreationDate",
      "RefreshTokenValidity",
      "TokenValidityUnits",
      "AllowedOAuthFlowsUserPoolClient",
      "EnableTokenRevocation",
      "EnablePropagateAdditionalUserContextData",
      "AuthSessionValidity",
    ]);
    expect(client).toMatchObject({
      UserPoolId: POOL_ID,
      ClientName: "app",
      LastModifiedDate: 1_700_000_000.123,
      CreationDate: 1_700_000_000.123,
      RefreshTokenValidity: 30,
      TokenValidityUnits: {},
      AllowedOAuthFlowsUserPoolClient: false,
      EnableTokenRevocation: true,
      EnablePropagateAdditionalUserContextData: false,
      AuthSessionValidity: 3,
    });
    expect(client.ClientId).toMatch(new RegExp(`^[a-z0-9]{${CLIENT_ID_LENGTH}}$`));
    expect(client.ClientSecret).toBeUndefined();
    expect(client.PreventUserExistenceErrors).toBeUndefined();
  });

  it("generates a different id and secret each time", () => {
    const a = build({ GenerateSecret: true });
    const b = build({ GenerateSecret: true });
    expect(a.ClientId).not.toBe(b.ClientId);
    expect(a.ClientSecret).toMatch(new RegExp(`^[a-z0-9]{${CLIENT_SECRET_LENGTH}}$`));
    expect(a.ClientSecret).not.toBe(b.ClientSecret);
  });

  it("uses the id and secret it is given (the static client)", () => {
    const client = build(
      { GenerateSecret: true },
      { clientId: "fixedclientid", clientSecret: "fixedsecret" },
    );
    expect(client.ClientId).toBe("fixedclientid");
    expect(client.ClientSecret).toBe("fixedsecret");
  });

  it("does not echo empty lists", () => {
    const client = build({
      CallbackURLs: [],
      LogoutURLs: [],
      AllowedOAuthFlows: [],
      AllowedOAuthScopes: [],
      ReadAttributes: [],
    });
    for (const key of [
      "CallbackURLs",
      "LogoutURLs",
      "AllowedOAuthFlows",
      "AllowedOAuthScopes",
      "ReadAttributes",
    ]) {
      expect(client).not.toHaveProperty(key);
    }
  });

  it("refuses a request for another pool", () => {
    expect(errorOf(() => build({ UserPoolId: "us-east-1_Other" }))).toEqual({
      type: "ResourceNotFoundException",
      message: "User pool us-east-1_Other does not exist.",
    });
  });

  it("checks the model's constraints before the rules, and reports them all", () => {
    expect(
      errorOf(() => build({ ClientName: "", CallbackURLs: ["http://example.com/cb"] })),
    ).toEqual({
      type: "InvalidParameterException",
      message:
        "2 validation errors detected: Value '' at 'clientName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+; " +
        "Value '' at 'clientName' failed to satisfy constraint: Member must have length greater than or equal to 1",
    });
  });

  it("allows http only for loopback hosts", () => {
    expect(
      build({ CallbackURLs: ["http://localhost:1/cb", "http://127.0.0.1/cb", "http://[::1]/cb"] })
        .CallbackURLs,
    ).toHaveLength(3);
    expect(errorOf(() => build({ CallbackURLs: ["http://10.0.0.1/cb"] })).message).toBe(
      "http://10.0.0.1/cb cannot use the HTTP protocol.",
    );
  });

  it("knows the pool's scopes from the template", () => {
    const flows = {
      AllowedOAuthFlows: ["code"],
      CallbackURLs: ["https://a/cb"],
      AllowedOAuthFlowsUserPoolClient: true,
    };
    expect(
      build({ ...flows, AllowedOAuthScopes: ["api/read", "openid"] }).AllowedOAuthScopes,
    ).toEqual(["api/read", "openid"]);
    expect(errorOf(() => build({ ...flows, AllowedOAuthScopes: ["mcp-api/read"] }))).toEqual({
      type: "ScopeDoesNotExistException",
      message: "Invalid scope requested: mcp-api/read",
    });
  });
});

describe("buildUserPoolClient: an update replaces the configuration", () => {
  const existing: UserPoolClient = {
    ...build({
      GenerateSecret: true,
      AccessTokenValidity: 2,
      CallbackURLs: ["https://a/cb"],
      PreventUserExistenceErrors: "ENABLED",
      EnableTokenRevocation: false,
    }),
    CreationDate: 1_600_000_000,
  };

  it("resets what is not given, keeps id, secret, creation date and name", () => {
    const updated = build(
      { ClientName: undefined, LogoutURLs: ["https://a/bye"] },
      { existing, now: NOW + 5000 },
    );
    expect(updated).toEqual({
      UserPoolId: POOL_ID,
      ClientName: "app",
      ClientId: existing.ClientId,
      ClientSecret: existing.ClientSecret,
      LastModifiedDate: 1_700_000_005.123,
      CreationDate: 1_600_000_000,
      RefreshTokenValidity: 30,
      TokenValidityUnits: {},
      LogoutURLs: ["https://a/bye"],
      AllowedOAuthFlowsUserPoolClient: false,
      EnableTokenRevocation: true,
      EnablePropagateAdditionalUserContextData: false,
      AuthSessionValidity: 3,
    });
  });

  it("ignores GenerateSecret and ClientSecret, which Update does not have", () => {
    const publicClient = build({});
    const updated = build(
      { GenerateSecret: true, ClientSecret: "x".repeat(30) },
      { existing: publicClient },
    );
    expect(updated.ClientSecret).toBeUndefined();
  });

  it("re-applies the static client with its configured secret", () => {
    const updated = build(
      { GenerateSecret: true, ClientName: "static" },
      { existing, clientSecret: "configured" },
    );
    expect(updated.ClientSecret).toBe("configured");
    expect(updated.ClientId).toBe(existing.ClientId);
  });

  it("checks client_credentials against the kept secret", () => {
    const cc = {
      AllowedOAuthFlows: ["client_credentials"],
      AllowedOAuthScopes: ["api/read"],
      AllowedOAuthFlowsUserPoolClient: true,
    };
    expect(build(cc, { existing }).AllowedOAuthFlows).toEqual(["client_credentials"]);
    expect(errorOf(() => build(cc, { existing: build({}) })).type).toBe(
      "InvalidOAuthFlowException",
    );
  });
});

describe("randomAlphanumeric", () => {
  it("uses every one of the 36 characters and no other", () => {
    const sample = randomAlphanumeric(20_000);
    expect(sample).toMatch(/^[a-z0-9]+$/);
    expect(new Set(sample).size).toBe(36);
  });
});
