import { type CognitoClientOptions, CognitoError, callCognito } from "./client";
import type { CognitoClientConfig, UserPoolClient, UserPoolClientSummary } from "./types";

/** The pool and how to reach it. */
export interface CognitoPoolOptions extends CognitoClientOptions {
  userPoolId: string;
}

function assertUserPoolClient(body: Record<string, unknown>): UserPoolClient {
  const client = body.UserPoolClient as Partial<UserPoolClient> | undefined;
  if (
    typeof client !== "object" ||
    client === null ||
    typeof client.ClientId !== "string" ||
    typeof client.ClientName !== "string" ||
    (client.ClientSecret !== undefined && typeof client.ClientSecret !== "string") ||
    (client.CreationDate !== undefined && typeof client.CreationDate !== "number")
  )
    throw new CognitoError("InvalidResponse", '"UserPoolClient" is malformed', 200, undefined);
  return client as UserPoolClient;
}

/** CreateUserPoolClient; a secret is generated for confidential clients. */
export async function createUserPoolClient(
  config: CognitoClientConfig,
  generateSecret: boolean,
  options: CognitoPoolOptions,
): Promise<UserPoolClient> {
  const body = await callCognito(
    "CreateUserPoolClient",
    { UserPoolId: options.userPoolId, GenerateSecret: generateSecret, ...config },
    options,
  );
  return assertUserPoolClient(body);
}

/** UpdateUserPoolClient, which replaces the whole configuration: `config` is all of it. */
export async function updateUserPoolClient(
  clientId: string,
  config: CognitoClientConfig,
  options: CognitoPoolOptions,
): Promise<UserPoolClient> {
  const body = await callCognito(
    "UpdateUserPoolClient",
    { UserPoolId: options.userPoolId, ClientId: clientId, ...config },
    options,
  );
  return assertUserPoolClient(body);
}

/** DescribeUserPoolClient (includes the secret of a confidential client). */
export async function describeUserPoolClient(
  clientId: string,
  options: CognitoPoolOptions,
): Promise<UserPoolClient> {
  const body = await callCognito(
    "DescribeUserPoolClient",
    { UserPoolId: options.userPoolId, ClientId: clientId },
    options,
  );
  return assertUserPoolClient(body);
}

/** DeleteUserPoolClient; an already deleted client counts as deleted. */
export async function deleteUserPoolClient(
  clientId: string,
  options: CognitoPoolOptions,
): Promise<void> {
  try {
    await callCognito(
      "DeleteUserPoolClient",
      { UserPoolId: options.userPoolId, ClientId: clientId },
      options,
    );
  } catch (error) {
    if (error instanceof CognitoError && error.type === "ResourceNotFoundException") return;
    throw error;
  }
}

/** One page of ListUserPoolClients (at most 60). */
export async function listUserPoolClients(
  nextToken: string | undefined,
  options: CognitoPoolOptions,
): Promise<{ clients: UserPoolClientSummary[]; nextToken: string | undefined }> {
  const body = await callCognito(
    "ListUserPoolClients",
    {
      UserPoolId: options.userPoolId,
      MaxResults: 60,
      ...(nextToken ? { NextToken: nextToken } : {}),
    },
    options,
  );
  const list = body.UserPoolClients ?? [];
  if (
    !Array.isArray(list) ||
    !list.every((c) => typeof c?.ClientId === "string" && typeof c?.ClientName === "string")
  )
    throw new CognitoError("InvalidResponse", '"UserPoolClients" is malformed', 200, undefined);
  const token =
    typeof body.NextToken === "string" && body.NextToken !== "" ? body.NextToken : undefined;
  return {
    clients: list.map((c) => ({ ClientId: c.ClientId, ClientName: c.ClientName })),
    nextToken: token,
  };
}
