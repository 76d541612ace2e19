import {
  CognitoIdentityProviderClient,
  CognitoIdentityProviderServiceException,
  CreateUserPoolClientCommand,
  DeleteUserPoolClientCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  InvalidParameterException,
  paginateListUserPoolClients,
  ResourceNotFoundException,
  UpdateUserPoolClientCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { buildSdkClientConfig } from "@mcp-cognito-workers/test-support/idp";
import { readWorkerVars, startCognitoLocal } from "@mcp-cognito-workers/test-support/stack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as wrangler from "wrangler";

const standInVars = readWorkerVars(wrangler, "cognito-local");

const POOL_ID = standInVars.USER_POOL_ID as string;
let standIn: Awaited<ReturnType<typeof startCognitoLocal>>;
let cognito: CognitoIdentityProviderClient;

beforeAll(async () => {
  standIn = await startCognitoLocal(wrangler);
  // The SDK makes several calls of one operation in a row; the default limit is 5 per second.
  await fetch(`${standIn.origin}/_local/settings`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ rateLimitPerSecond: 0 }),
  });
  cognito = new CognitoIdentityProviderClient(buildSdkClientConfig(standIn));
});

afterAll(async () => {
  cognito?.destroy();
  await standIn?.stop();
});

describe("AWS SDK for JavaScript v3 against the stand-in", () => {
  it("binds to loopback only", () => {
    expect(new URL(standIn.origin).hostname).toBe("127.0.0.1");
  });

  it("creates, describes, updates, lists and deletes an app client", async () => {
    const created = await cognito.send(
      new CreateUserPoolClientCommand({
        UserPoolId: POOL_ID,
        ClientName: "sdk-client",
        GenerateSecret: true,
        CallbackURLs: ["http://localhost:7777/cb"],
        AllowedOAuthFlows: ["code"],
        AllowedOAuthScopes: ["openid", "mcp-api/read"],
        AllowedOAuthFlowsUserPoolClient: true,
        SupportedIdentityProviders: ["COGNITO"],
      }),
    );
    expect(created.$metadata.httpStatusCode).toBe(200);
    expect(created.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const client = created.UserPoolClient;
    if (client === undefined) throw new Error("CreateUserPoolClient answered no UserPoolClient");
    expect(client.ClientId).toMatch(/^[a-z0-9]{26}$/);
    expect(client.ClientSecret).toMatch(/^[a-z0-9]{52}$/);
    // The SDK turns epoch seconds into Dates.
    expect(client.CreationDate).toBeInstanceOf(Date);
    expect(Math.abs((client.CreationDate as Date).getTime() - Date.now())).toBeLessThan(60_000);
    const clientId = client.ClientId as string;

    const described = await cognito.send(
      new DescribeUserPoolClientCommand({ UserPoolId: POOL_ID, ClientId: clientId }),
    );
    expect(described.UserPoolClient).toEqual(client);

    const updated = await cognito.send(
      new UpdateUserPoolClientCommand({
        UserPoolId: POOL_ID,
        ClientId: clientId,
        ClientName: "sdk-client-renamed",
        CallbackURLs: ["https://app.example.com/cb"],
        AllowedOAuthFlows: ["code"],
        AllowedOAuthScopes: ["openid"],
        AllowedOAuthFlowsUserPoolClient: true,
      }),
    );
    expect(updated.UserPoolClient).toMatchObject({
      ClientId: clientId,
      ClientName: "sdk-client-renamed",
      ClientSecret: client.ClientSecret,
      CallbackURLs: ["https://app.example.com/cb"],
      AllowedOAuthScopes: ["openid"],
    });
    expect(updated.UserPoolClient?.SupportedIdentityProviders).toBeUndefined();

    const listed: { ClientId?: string; ClientName?: string }[] = [];
    for await (const page of paginateListUserPoolClients(
      { client: cognito, pageSize: 1 },
      { UserPoolId: POOL_ID },
    )) {
      expect(page.UserPoolClients?.length).toBeLessThanOrEqual(1);
      listed.push(...(page.UserPoolClients ?? []));
    }
    expect(listed).toContainEqual({
      ClientId: clientId,
      UserPoolId: POOL_ID,
      ClientName: "sdk-client-renamed",
    });
    expect(listed).toContainEqual(
      expect.objectContaining({ ClientId: standInVars.STATIC_CLIENT_ID }),
    );

    const deleted = await cognito.send(
      new DeleteUserPoolClientCommand({ UserPoolId: POOL_ID, ClientId: clientId }),
    );
    expect(deleted.$metadata.httpStatusCode).toBe(200);
    const gone = await cognito
      .send(new DescribeUserPoolClientCommand({ UserPoolId: POOL_ID, ClientId: clientId }))
      .catch((error: unknown) => error);
    expect(gone).toBeInstanceOf(ResourceNotFoundException);
    expect((gone as ResourceNotFoundException).message).toBe(
      `User pool client ${clientId} does not exist.`,
    );
  });

  it("gets a typed InvalidParameterException for an http:// callback URL", async () => {
    const error = await cognito
      .send(
        new CreateUserPoolClientCommand({
          UserPoolId: POOL_ID,
          ClientName: "sdk-bad-client",
          CallbackURLs: ["http://example.com/cb"],
        }),
      )
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect(error).toBeInstanceOf(CognitoIdentityProviderServiceException);
    const exception = error as InvalidParameterException;
    expect(exception.name).toBe("InvalidParameterException");
    expect(exception.message).toBe("http://example.com/cb cannot use the HTTP protocol.");
    expect(exception.$fault).toBe("client");
    expect(exception.$metadata.httpStatusCode).toBe(400);
    expect(exception.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("reads DescribeUserPool", async () => {
    const { UserPool } = await cognito.send(new DescribeUserPoolCommand({ UserPoolId: POOL_ID }));
    expect(UserPool?.Id).toBe(POOL_ID);
    expect(UserPool?.Policies?.PasswordPolicy?.MinimumLength).toBe(8);
    expect(UserPool?.CreationDate).toBeInstanceOf(Date);
  });

  it("is refused with a wrong secret, as by AWS", async () => {
    const stranger = new CognitoIdentityProviderClient({
      region: standInVars.AWS_REGION as string,
      endpoint: standIn.origin,
      credentials: {
        accessKeyId: standInVars.LOCAL_ACCESS_KEY_ID as string,
        secretAccessKey: "wrongSecretAccessKey00000000000000000000",
      },
      maxAttempts: 1,
    });
    const error = await stranger
      .send(new DescribeUserPoolCommand({ UserPoolId: POOL_ID }))
      .catch((caught: unknown) => caught);
    stranger.destroy();
    expect(error).toBeInstanceOf(CognitoIdentityProviderServiceException);
    expect((error as Error).name).toBe("InvalidSignatureException");
  });
});
