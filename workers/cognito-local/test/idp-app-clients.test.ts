import { env } from "cloudflare:test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  call,
  expectCognitoError,
  expectOk,
  POOL_ID,
  setLocalSettings,
  uniqueName,
} from "./idp-helpers";

interface ClientAnswer {
  UserPoolClient: Record<string, unknown> & { ClientId: string; ClientSecret?: string };
}

beforeAll(async () => {
  await setLocalSettings({ rateLimitPerSecond: 0, clockOffsetMs: 0 });
});

afterAll(async () => {
  await setLocalSettings({ rateLimitPerSecond: 5, appClientQuota: 1000, clockOffsetMs: 0 });
});

async function create(properties: object = {}) {
  return expectOk(
    await call<ClientAnswer>("CreateUserPoolClient", {
      UserPoolId: POOL_ID,
      ClientName: uniqueName("client"),
      ...properties,
    }),
  ).UserPoolClient;
}

async function countClients(): Promise<number> {
  let n = 0;
  let token: string | undefined;
  do {
    const page = expectOk(
      await call<{ UserPoolClients: unknown[]; NextToken?: string }>("ListUserPoolClients", {
        UserPoolId: POOL_ID,
        MaxResults: 60,
        ...(token ? { NextToken: token } : {}),
      }),
    );
    n += page.UserPoolClients.length;
    token = page.NextToken;
  } while (token);
  return n;
}

const OAUTH_CLIENT = {
  GenerateSecret: true,
  RefreshTokenValidity: 10,
  AccessTokenValidity: 30,
  IdTokenValidity: 45,
  TokenValidityUnits: { AccessToken: "minutes", IdToken: "minutes", RefreshToken: "days" },
  ReadAttributes: ["email"],
  WriteAttributes: ["email"],
  ExplicitAuthFlows: ["ALLOW_REFRESH_TOKEN_AUTH"],
  SupportedIdentityProviders: ["COGNITO"],
  CallbackURLs: ["https://app.example.com/cb", "http://localhost:7777/cb"],
  LogoutURLs: ["https://app.example.com/bye"],
  DefaultRedirectURI: "https://app.example.com/cb",
  AllowedOAuthFlows: ["code"],
  AllowedOAuthScopes: ["openid", "email", "mcp-api/read"],
  AllowedOAuthFlowsUserPoolClient: true,
  PreventUserExistenceErrors: "ENABLED",
  EnableTokenRevocation: false,
  EnablePropagateAdditionalUserContextData: false,
  AuthSessionValidity: 10,
  RefreshTokenRotation: { Feature: "ENABLED", RetryGracePeriodSeconds: 30 },
};

describe("CreateUserPoolClient", () => {
  it("answers Cognito's shape with Cognito's defaults for a bare request", async () => {
    const before = Date.now() / 1000;
    const name = uniqueName("bare");
    const answer = await call<ClientAnswer>("CreateUserPoolClient", {
      UserPoolId: POOL_ID,
      ClientName: name,
    });
    const client = expectOk(answer).UserPoolClient;
    expect(client).toEqual({
      UserPoolId: POOL_ID,
      ClientName: name,
      ClientId: expect.stringMatching(/^[a-z0-9]{26}$/),
      LastModifiedDate: client.CreationDate,
      CreationDate: expect.any(Number),
      RefreshTokenValidity: 30,
      TokenValidityUnits: {},
      AllowedOAuthFlowsUserPoolClient: false,
      EnableTokenRevocation: true,
      EnablePropagateAdditionalUserContextData: false,
      AuthSessionValidity: 3,
    });
    // Epoch seconds with a fraction, as on the wire.
    expect(client.CreationDate as number).toBeGreaterThanOrEqual(Math.floor(before));
    expect(client.CreationDate as number).toBeLessThan(before + 60);
  });

  it("generates a secret of lowercase letters and digits with GenerateSecret", async () => {
    const client = await create({ GenerateSecret: true });
    expect(client.ClientSecret).toMatch(/^[a-z0-9]{52}$/);
  });

  it("takes a given ClientSecret", async () => {
    const client = await create({ ClientSecret: "my_own_secret_of_24_chars_plus" });
    expect(client.ClientSecret).toBe("my_own_secret_of_24_chars_plus");
  });

  it("stores every field it was given, as given", async () => {
    const client = await create(OAUTH_CLIENT);
    const { GenerateSecret: _, ...expected } = OAUTH_CLIENT;
    expect(client).toMatchObject(expected);
    expect(client.ClientSecret).toMatch(/^[a-z0-9]{52}$/);
  });
});

describe("DescribeUserPoolClient", () => {
  it("returns the client as stored, secret included", async () => {
    const created = await create(OAUTH_CLIENT);
    const answer = await call<ClientAnswer>("DescribeUserPoolClient", {
      UserPoolId: POOL_ID,
      ClientId: created.ClientId,
    });
    expect(expectOk(answer).UserPoolClient).toEqual(created);
  });

  it("describes the static client of infra/cognito.yaml", async () => {
    const answer = await call<ClientAnswer>("DescribeUserPoolClient", {
      UserPoolId: POOL_ID,
      ClientId: env.STATIC_CLIENT_ID,
    });
    expect(expectOk(answer).UserPoolClient).toMatchObject({
      ClientName: "mcp-static-client",
      ClientId: env.STATIC_CLIENT_ID,
      ClientSecret: env.STATIC_CLIENT_SECRET,
      AllowedOAuthFlows: ["code"],
      CallbackURLs: ["http://localhost:3000/callback"],
    });
  });

  it("ResourceNotFoundException for an unknown client", async () => {
    expectCognitoError(
      await call("DescribeUserPoolClient", {
        UserPoolId: POOL_ID,
        ClientId: "nosuchclient0000000000000",
      }),
      "ResourceNotFoundException",
      "User pool client nosuchclient0000000000000 does not exist.",
    );
  });
});

describe("UpdateUserPoolClient replaces the whole configuration", () => {
  it("returns omitted fields to their defaults and keeps id, secret, creation date and name", async () => {
    const created = await create(OAUTH_CLIENT);
    await setLocalSettings({ clockOffsetMs: 2000 });
    try {
      const answer = await call<ClientAnswer>("UpdateUserPoolClient", {
        UserPoolId: POOL_ID,
        ClientId: created.ClientId,
        CallbackURLs: ["https://other.example.com/cb"],
      });
      const updated = expectOk(answer).UserPoolClient;
      expect(updated).toEqual({
        UserPoolId: POOL_ID,
        ClientName: created.ClientName,
        ClientId: created.ClientId,
        ClientSecret: created.ClientSecret,
        LastModifiedDate: expect.any(Number),
        CreationDate: created.CreationDate,
        RefreshTokenValidity: 30,
        TokenValidityUnits: {},
        CallbackURLs: ["https://other.example.com/cb"],
        AllowedOAuthFlowsUserPoolClient: false,
        EnableTokenRevocation: true,
        EnablePropagateAdditionalUserContextData: false,
        AuthSessionValidity: 3,
      });
      expect(updated.LastModifiedDate as number).toBeGreaterThanOrEqual(
        (created.CreationDate as number) + 1.9,
      );
      const described = await call<ClientAnswer>("DescribeUserPoolClient", {
        UserPoolId: POOL_ID,
        ClientId: created.ClientId,
      });
      expect(expectOk(described).UserPoolClient).toEqual(updated);
    } finally {
      await setLocalSettings({ clockOffsetMs: 0 });
    }
  });

  it("sets a new name, and applies a full configuration sent back", async () => {
    const created = await create();
    const { GenerateSecret: _, ...settings } = OAUTH_CLIENT;
    const answer = await call<ClientAnswer>("UpdateUserPoolClient", {
      UserPoolId: POOL_ID,
      ClientId: created.ClientId,
      ClientName: "renamed client",
      ...settings,
      AllowedOAuthFlows: ["implicit"],
    });
    expect(expectOk(answer).UserPoolClient).toMatchObject({
      ...settings,
      ClientName: "renamed client",
      AllowedOAuthFlows: ["implicit"],
    });
  });

  it("ignores GenerateSecret, which UpdateUserPoolClient does not have", async () => {
    const created = await create();
    const answer = await call<ClientAnswer>("UpdateUserPoolClient", {
      UserPoolId: POOL_ID,
      ClientId: created.ClientId,
      GenerateSecret: true,
    });
    expect(expectOk(answer).UserPoolClient.ClientSecret).toBeUndefined();
  });

  it("ResourceNotFoundException for an unknown client", async () => {
    expectCognitoError(
      await call("UpdateUserPoolClient", {
        UserPoolId: POOL_ID,
        ClientId: "nosuchclient0000000000000",
      }),
      "ResourceNotFoundException",
      "User pool client nosuchclient0000000000000 does not exist.",
    );
  });

  it("validates the new configuration as Create does", async () => {
    const created = await create();
    expectCognitoError(
      await call("UpdateUserPoolClient", {
        UserPoolId: POOL_ID,
        ClientId: created.ClientId,
        CallbackURLs: ["http://example.com/cb"],
      }),
      "InvalidParameterException",
      "http://example.com/cb cannot use the HTTP protocol.",
    );
  });
});

describe("DeleteUserPoolClient", () => {
  it("answers {} and the client is gone", async () => {
    const created = await create();
    const ref = { UserPoolId: POOL_ID, ClientId: created.ClientId };
    expect(expectOk(await call("DeleteUserPoolClient", ref))).toEqual({});
    const message = `User pool client ${created.ClientId} does not exist.`;
    expectCognitoError(
      await call("DescribeUserPoolClient", ref),
      "ResourceNotFoundException",
      message,
    );
    expectCognitoError(
      await call("DeleteUserPoolClient", ref),
      "ResourceNotFoundException",
      message,
    );
  });
});

describe("ListUserPoolClients", () => {
  it("pages through every client with MaxResults and NextToken, three fields each", async () => {
    const made = new Set<string>();
    for (let i = 0; i < 5; i++) made.add((await create()).ClientId);
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = expectOk(
        await call<{ UserPoolClients: Record<string, unknown>[]; NextToken?: string }>(
          "ListUserPoolClients",
          {
            UserPoolId: POOL_ID,
            MaxResults: 2,
            ...(token ? { NextToken: token } : {}),
          },
        ),
      );
      expect(page.UserPoolClients.length).toBeLessThanOrEqual(2);
      for (const item of page.UserPoolClients) {
        expect(Object.keys(item).sort()).toEqual(["ClientId", "ClientName", "UserPoolId"]);
        expect(item.UserPoolId).toBe(POOL_ID);
        seen.push(item.ClientId as string);
      }
      token = page.NextToken;
      pages++;
    } while (token);
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of made) expect(seen).toContain(id);
    expect(seen).toContain(env.STATIC_CLIENT_ID);
    expect(pages).toBe(Math.ceil(seen.length / 2));
  });

  it("answers at most 60 by default", async () => {
    const page = expectOk(
      await call<{ UserPoolClients: unknown[] }>("ListUserPoolClients", { UserPoolId: POOL_ID }),
    );
    expect(page.UserPoolClients.length).toBeLessThanOrEqual(60);
  });

  it("refuses MaxResults outside 1-60", async () => {
    expectCognitoError(
      await call("ListUserPoolClients", { UserPoolId: POOL_ID, MaxResults: 61 }),
      "InvalidParameterException",
      "1 validation error detected: Value '61' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 60",
    );
    expectCognitoError(
      await call("ListUserPoolClients", { UserPoolId: POOL_ID, MaxResults: 0 }),
      "InvalidParameterException",
      "1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
  });

  it("refuses a NextToken it did not make", async () => {
    for (const NextToken of [
      "garbage",
      btoa(JSON.stringify({ v: 1, p: "us-east-1_Other", a: "x" })),
    ]) {
      expectCognitoError(
        await call("ListUserPoolClients", { UserPoolId: POOL_ID, NextToken }),
        "InvalidParameterException",
        "Invalid NextToken.",
      );
    }
  });
});

describe("app-client quota", () => {
  it("LimitExceededException once the pool holds appClientQuota clients", async () => {
    const count = await countClients();
    await setLocalSettings({ appClientQuota: count + 1 });
    try {
      await create();
      const name = uniqueName("over");
      expectCognitoError(
        await call("CreateUserPoolClient", { UserPoolId: POOL_ID, ClientName: name }),
        "LimitExceededException",
        `The user pool ${POOL_ID} has reached its limit of ${count + 1} app clients.`,
      );
      expect(await countClients()).toBe(count + 1);
    } finally {
      await setLocalSettings({ appClientQuota: 1000 });
    }
  });
});
