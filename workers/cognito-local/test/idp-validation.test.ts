import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  call,
  expectCognitoError,
  expectOk,
  POOL_ID,
  setLocalSettings,
  uniqueName,
} from "./idp-helpers";

beforeAll(async () => {
  await setLocalSettings({ rateLimitPerSecond: 0, clockOffsetMs: 0 });
});

afterAll(async () => {
  await setLocalSettings({ rateLimitPerSecond: 5 });
});

function createClient(properties: object) {
  return call<{ UserPoolClient: Record<string, unknown> }>("CreateUserPoolClient", {
    UserPoolId: POOL_ID,
    ClientName: uniqueName("v"),
    ...properties,
  });
}

const URL_PATTERN = "[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+";
const CODE_CLIENT = {
  AllowedOAuthFlows: ["code"],
  AllowedOAuthFlowsUserPoolClient: true,
  AllowedOAuthScopes: ["openid"],
  CallbackURLs: ["https://app.example.com/cb"],
};

describe("every operation: UserPoolId", () => {
  const operations = {
    CreateUserPoolClient: { ClientName: "x" },
    DescribeUserPoolClient: { ClientId: "abc" },
    UpdateUserPoolClient: { ClientId: "abc" },
    DeleteUserPoolClient: { ClientId: "abc" },
    ListUserPoolClients: {},
    DescribeUserPool: {},
    AdminCreateUser: { Username: "someone" },
    AdminSetUserPassword: { Username: "someone", Password: "Passw0rd!" },
    AdminDeleteUser: { Username: "someone" },
  };

  for (const [operation, rest] of Object.entries(operations)) {
    it(`${operation}: InvalidParameterException for a malformed pool id, in AWS's validation style`, async () => {
      expectCognitoError(
        await call(operation, { UserPoolId: "no-underscore", ...rest }),
        "InvalidParameterException",
        "1 validation error detected: Value 'no-underscore' at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+_[0-9a-zA-Z]+",
      );
    });

    it(`${operation}: ResourceNotFoundException for another pool`, async () => {
      expectCognitoError(
        await call(operation, { UserPoolId: "us-east-1_Other", ...rest }),
        "ResourceNotFoundException",
        "User pool us-east-1_Other does not exist.",
      );
    });
  }

  it("reports a pool id that is too long and malformed as two errors", async () => {
    const id = "x".repeat(56);
    expectCognitoError(
      await call("DescribeUserPool", { UserPoolId: id }),
      "InvalidParameterException",
      `2 validation errors detected: Value '${id}' at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+_[0-9a-zA-Z]+; Value '${id}' at 'userPoolId' failed to satisfy constraint: Member must have length less than or equal to 55`,
    );
  });
});

describe("app client: ClientName", () => {
  it("is required", async () => {
    expectCognitoError(
      await call("CreateUserPoolClient", { UserPoolId: POOL_ID }),
      "InvalidParameterException",
      "1 validation error detected: Value null at 'clientName' failed to satisfy constraint: Member must not be null",
    );
  });

  it("refuses characters outside [\\w\\s+=,.@-]", async () => {
    expectCognitoError(
      await createClient({ ClientName: "a/b" }),
      "InvalidParameterException",
      "1 validation error detected: Value 'a/b' at 'clientName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+",
    );
  });

  it("refuses more than 128 characters", async () => {
    const name = "n".repeat(129);
    expectCognitoError(
      await createClient({ ClientName: name }),
      "InvalidParameterException",
      `1 validation error detected: Value '${name}' at 'clientName' failed to satisfy constraint: Member must have length less than or equal to 128`,
    );
  });

  it("takes letters, spaces and + = , . @ -", async () => {
    expectOk(await createClient({ ClientName: "My app +=,.@- 2" }));
  });

  it("reports several field violations together", async () => {
    expectCognitoError(
      await createClient({
        ClientName: "a:b",
        AuthSessionValidity: 2,
        PreventUserExistenceErrors: "YES",
      }),
      "InvalidParameterException",
      "3 validation errors detected: Value 'a:b' at 'clientName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+; " +
        "Value 'YES' at 'preventUserExistenceErrors' failed to satisfy constraint: Member must satisfy enum value set: [LEGACY, ENABLED]; " +
        "Value '2' at 'authSessionValidity' failed to satisfy constraint: Member must have value greater than or equal to 3",
    );
  });
});

describe("app client: CallbackURLs and LogoutURLs", () => {
  it.each([
    "https://app.example.com/cb",
    "http://localhost/cb",
    "http://localhost:7777/cb",
    "http://127.0.0.1:8080/cb",
    "http://[::1]:9000/cb",
    "myapp://callback",
    "com.example.app:/oauth2redirect",
  ])("accepts %s", async (url) => {
    const client = expectOk(
      await createClient({ CallbackURLs: [url], LogoutURLs: [url] }),
    ).UserPoolClient;
    expect(client.CallbackURLs).toEqual([url]);
    expect(client.LogoutURLs).toEqual([url]);
  });

  it.each([
    "http://example.com/cb",
    "http://192.168.1.10:3000/cb",
    "http://localhost.example.com/cb",
    "http://127.0.0.2/cb",
  ])("InvalidParameterException '<url> cannot use the HTTP protocol.' for %s", async (url) => {
    expectCognitoError(
      await createClient({ CallbackURLs: [url] }),
      "InvalidParameterException",
      `${url} cannot use the HTTP protocol.`,
    );
    expectCognitoError(
      await createClient({ LogoutURLs: [url] }),
      "InvalidParameterException",
      `${url} cannot use the HTTP protocol.`,
    );
  });

  it("refuses a fragment", async () => {
    expectCognitoError(
      await createClient({ CallbackURLs: ["https://app.example.com/cb#x"] }),
      "InvalidParameterException",
      "https://app.example.com/cb#x cannot contain a fragment.",
    );
  });

  it("refuses a URL that is not absolute", async () => {
    expectCognitoError(
      await createClient({ CallbackURLs: ["/cb"] }),
      "InvalidParameterException",
      "/cb is not a valid absolute URL.",
    );
  });

  it("refuses whitespace, by the model's pattern", async () => {
    expectCognitoError(
      await createClient({ CallbackURLs: ["https://app.example.com/a b"] }),
      "InvalidParameterException",
      `1 validation error detected: Value '[https://app.example.com/a b]' at 'callbackURLs' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy regular expression pattern: ${URL_PATTERN}]`,
    );
  });

  it("refuses an empty URL and one longer than 1024 characters", async () => {
    const long = `https://app.example.com/${"a".repeat(1001)}`;
    expectCognitoError(
      await createClient({ LogoutURLs: ["", long] }),
      "InvalidParameterException",
      `1 validation error detected: Value '[, ${long}]' at 'logoutURLs' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy regular expression pattern: ${URL_PATTERN}, Member must have length greater than or equal to 1, Member must have length less than or equal to 1024]`,
    );
  });

  it("refuses more than 100 URLs", async () => {
    const urls = Array.from({ length: 101 }, (_, i) => `https://app.example.com/${i}`);
    expectCognitoError(
      await createClient({ CallbackURLs: urls }),
      "InvalidParameterException",
      `1 validation error detected: Value '[${urls.join(", ")}]' at 'callbackURLs' failed to satisfy constraint: Member must have length less than or equal to 100`,
    );
  });

  it("takes 100 URLs", async () => {
    const urls = Array.from({ length: 100 }, (_, i) => `https://app.example.com/${i}`);
    expect(
      expectOk(await createClient({ CallbackURLs: urls })).UserPoolClient.CallbackURLs,
    ).toEqual(urls);
  });
});

describe("app client: DefaultRedirectURI", () => {
  it("must be one of the CallbackURLs", async () => {
    expectCognitoError(
      await createClient({
        CallbackURLs: ["https://a.example.com/cb"],
        DefaultRedirectURI: "https://b.example.com/cb",
      }),
      "InvalidParameterException",
      "DefaultRedirectURI must be one of the CallbackURLs.",
    );
    expectOk(
      await createClient({
        CallbackURLs: ["https://a.example.com/cb"],
        DefaultRedirectURI: "https://a.example.com/cb",
      }),
    );
  });
});

describe("app client: AllowedOAuthFlows", () => {
  it("refuses a value outside code, implicit, client_credentials", async () => {
    expectCognitoError(
      await createClient({ AllowedOAuthFlows: ["password"] }),
      "InvalidParameterException",
      "1 validation error detected: Value '[password]' at 'allowedOAuthFlows' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [code, implicit, client_credentials]]",
    );
  });

  it("InvalidOAuthFlowException for client_credentials with another flow", async () => {
    expectCognitoError(
      await createClient({
        ...CODE_CLIENT,
        GenerateSecret: true,
        AllowedOAuthFlows: ["code", "client_credentials"],
      }),
      "InvalidOAuthFlowException",
      "client_credentials flow can not be selected along with code flow or implicit flow.",
    );
  });

  it("InvalidOAuthFlowException for client_credentials without a secret", async () => {
    expectCognitoError(
      await createClient({
        AllowedOAuthFlows: ["client_credentials"],
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthScopes: ["mcp-api/read"],
      }),
      "InvalidOAuthFlowException",
      "client_credentials flow can not be selected if client does not have a client secret.",
    );
  });

  it("InvalidOAuthFlowException for client_credentials with a scope that is not a resource server's", async () => {
    expectCognitoError(
      await createClient({
        GenerateSecret: true,
        AllowedOAuthFlows: ["client_credentials"],
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthScopes: ["mcp-api/read", "openid"],
      }),
      "InvalidOAuthFlowException",
      "openid is not supported with client_credentials flow",
    );
  });

  it("takes client_credentials alone, with a secret and custom scopes", async () => {
    expectOk(
      await createClient({
        GenerateSecret: true,
        AllowedOAuthFlows: ["client_credentials"],
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthScopes: ["mcp-api/read", "mcp-api/write"],
      }),
    );
  });

  it.each(["code", "implicit"])(
    "InvalidOAuthFlowException for %s without CallbackURLs",
    async (flow) => {
      expectCognitoError(
        await createClient({ ...CODE_CLIENT, AllowedOAuthFlows: [flow], CallbackURLs: [] }),
        "InvalidOAuthFlowException",
        "CallbackUrls can not be empty when code flow or implicit flow is selected",
      );
    },
  );

  it("needs flows and scopes once AllowedOAuthFlowsUserPoolClient is true", async () => {
    expectCognitoError(
      await createClient({ ...CODE_CLIENT, AllowedOAuthScopes: [] }),
      "InvalidParameterException",
      "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to use OAuth flows.",
    );
    expectCognitoError(
      await createClient({ AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthScopes: ["openid"] }),
      "InvalidParameterException",
      "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to use OAuth flows.",
    );
  });
});

describe("app client: AllowedOAuthScopes", () => {
  it("ScopeDoesNotExistException for a scope the pool does not have", async () => {
    expectCognitoError(
      await createClient({ ...CODE_CLIENT, AllowedOAuthScopes: ["openid", "mcp-api/admin"] }),
      "ScopeDoesNotExistException",
      "Invalid scope requested: mcp-api/admin",
    );
  });

  it("takes the OIDC scopes and the resource server's", async () => {
    const scopes = [
      "openid",
      "email",
      "phone",
      "profile",
      "aws.cognito.signin.user.admin",
      "mcp-api/read",
      "mcp-api/write",
    ];
    expect(
      expectOk(await createClient({ ...CODE_CLIENT, AllowedOAuthScopes: scopes })).UserPoolClient
        .AllowedOAuthScopes,
    ).toEqual(scopes);
  });

  it("refuses more than 50 scopes", async () => {
    const scopes = Array.from({ length: 51 }, () => "openid");
    expectCognitoError(
      await createClient({ ...CODE_CLIENT, AllowedOAuthScopes: scopes }),
      "InvalidParameterException",
      `1 validation error detected: Value '[${scopes.join(", ")}]' at 'allowedOAuthScopes' failed to satisfy constraint: Member must have length less than or equal to 50`,
    );
  });

  it("refuses a space or a quote in a scope, by the model's pattern", async () => {
    expectCognitoError(
      await createClient({ ...CODE_CLIENT, AllowedOAuthScopes: ['a"b'] }),
      "InvalidParameterException",
      `1 validation error detected: Value '[a"b]' at 'allowedOAuthScopes' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy regular expression pattern: [\\x21\\x23-\\x5B\\x5D-\\x7E]+]`,
    );
  });
});

describe("app client: token validity", () => {
  it.each<[object, string]>([
    [{ AccessTokenValidity: 24 }, "a day in the default unit, hours"],
    [{ AccessTokenValidity: 5, TokenValidityUnits: { AccessToken: "minutes" } }, "five minutes"],
    [{ IdTokenValidity: 86400, TokenValidityUnits: { IdToken: "seconds" } }, "a day in seconds"],
    [{ RefreshTokenValidity: 3650 }, "ten years in the default unit, days"],
    [{ RefreshTokenValidity: 60, TokenValidityUnits: { RefreshToken: "minutes" } }, "an hour"],
  ])("takes %o (%s)", async (settings) => {
    expect(expectOk(await createClient(settings)).UserPoolClient).toMatchObject(settings);
  });

  it.each<object>([
    { AccessTokenValidity: 25 },
    { AccessTokenValidity: 4, TokenValidityUnits: { AccessToken: "minutes" } },
    { IdTokenValidity: 2, TokenValidityUnits: { IdToken: "days" } },
    { RefreshTokenValidity: 3651 },
    { RefreshTokenValidity: 59, TokenValidityUnits: { RefreshToken: "minutes" } },
  ])("InvalidParameterException 'Invalid range for token validity.' for %o", async (settings) => {
    expectCognitoError(
      await createClient(settings),
      "InvalidParameterException",
      "Invalid range for token validity.",
    );
  });

  it("reads a RefreshTokenValidity of 0 as the default, 30 days", async () => {
    const client = expectOk(
      await createClient({
        RefreshTokenValidity: 0,
        TokenValidityUnits: { RefreshToken: "hours" },
      }),
    ).UserPoolClient;
    expect(client.RefreshTokenValidity).toBe(30);
    expect(client.TokenValidityUnits).toEqual({});
  });

  it("checks the model's bounds and units", async () => {
    expectCognitoError(
      await createClient({
        AccessTokenValidity: 86401,
        TokenValidityUnits: { AccessToken: "weeks" },
      }),
      "InvalidParameterException",
      "2 validation errors detected: Value '86401' at 'accessTokenValidity' failed to satisfy constraint: Member must have value less than or equal to 86400; " +
        "Value 'weeks' at 'tokenValidityUnits.accessToken' failed to satisfy constraint: Member must satisfy enum value set: [seconds, minutes, hours, days]",
    );
  });
});

describe("app client: other settings", () => {
  it("AuthSessionValidity is 3-15", async () => {
    expectCognitoError(
      await createClient({ AuthSessionValidity: 16 }),
      "InvalidParameterException",
      "1 validation error detected: Value '16' at 'authSessionValidity' failed to satisfy constraint: Member must have value less than or equal to 15",
    );
    expect(
      expectOk(await createClient({ AuthSessionValidity: 15 })).UserPoolClient.AuthSessionValidity,
    ).toBe(15);
  });

  it("RefreshTokenRotation needs Feature and a grace period of 0-60 s", async () => {
    expectCognitoError(
      await createClient({ RefreshTokenRotation: { RetryGracePeriodSeconds: 61 } }),
      "InvalidParameterException",
      "2 validation errors detected: Value null at 'refreshTokenRotation.feature' failed to satisfy constraint: Member must not be null; " +
        "Value '61' at 'refreshTokenRotation.retryGracePeriodSeconds' failed to satisfy constraint: Member must have value less than or equal to 60",
    );
  });

  it("SupportedIdentityProviders knows COGNITO only", async () => {
    expectCognitoError(
      await createClient({ SupportedIdentityProviders: ["COGNITO", "Google"] }),
      "InvalidParameterException",
      `The provider Google does not exist for User Pool ${POOL_ID}`,
    );
  });

  it("ExplicitAuthFlows takes Cognito's values only, and not legacy ones with ALLOW_ ones", async () => {
    expectCognitoError(
      await createClient({ ExplicitAuthFlows: ["ALLOW_MAGIC"] }),
      "InvalidParameterException",
      "1 validation error detected: Value '[ALLOW_MAGIC]' at 'explicitAuthFlows' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [ADMIN_NO_SRP_AUTH, CUSTOM_AUTH_FLOW_ONLY, USER_PASSWORD_AUTH, ALLOW_ADMIN_USER_PASSWORD_AUTH, ALLOW_CUSTOM_AUTH, ALLOW_USER_PASSWORD_AUTH, ALLOW_USER_SRP_AUTH, ALLOW_REFRESH_TOKEN_AUTH, ALLOW_USER_AUTH]]",
    );
    expectCognitoError(
      await createClient({ ExplicitAuthFlows: ["USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"] }),
      "InvalidParameterException",
      "ExplicitAuthFlows can not combine the legacy values ADMIN_NO_SRP_AUTH, CUSTOM_AUTH_FLOW_ONLY and USER_PASSWORD_AUTH with values that begin with ALLOW_.",
    );
  });

  it("GenerateSecret and ClientSecret exclude each other; a ClientSecret has 24-64 of [\\w+]", async () => {
    expectCognitoError(
      await createClient({ GenerateSecret: true, ClientSecret: "a".repeat(30) }),
      "InvalidParameterException",
      "You cannot specify both GenerateSecret as true and provide a ClientSecret value.",
    );
    expectCognitoError(
      await createClient({ ClientSecret: "short" }),
      "InvalidParameterException",
      "1 validation error detected: Value at 'clientSecret' failed to satisfy constraint: Member must have length greater than or equal to 24",
    );
  });
});
