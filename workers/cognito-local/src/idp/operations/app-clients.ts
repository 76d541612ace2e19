import { base64urlEncode } from "@mcp-cognito-workers/http";
import { buildUserPoolClient } from "../client-config";
import { CognitoError } from "../cognito-error";
import { readInput } from "../input";
import { LIST_USER_POOL_CLIENTS, UPDATE_USER_POOL_CLIENT, USER_POOL_CLIENT_REF } from "../shapes";
import { assertUserPool, type Operation, requireClient } from "./common";

/** `ListUserPoolClients` page size when `MaxResults` is not given. */
export const DEFAULT_LIST_MAX_RESULTS = 60;

/** Messages of the app-client operations; UNVERIFIED wording, the stand-in's choice. */
export const APP_CLIENT_MESSAGES = {
  quota: (quota: number, userPoolId: string) =>
    `The user pool ${userPoolId} has reached its limit of ${quota} app clients.`,
  badNextToken: "Invalid NextToken.",
} as const;

/** CreateUserPoolClient → `{UserPoolClient}`; `LimitExceededException` beyond the app-client quota. */
export const createUserPoolClient: Operation = (input, pool) => {
  const client = buildUserPoolClient(input, {
    template: pool.template,
    userPoolId: pool.config.userPoolId,
    now: pool.now(),
  });
  const quota = pool.runtime().appClientQuota;
  if (pool.store.countClients() >= quota) {
    throw new CognitoError(
      "LimitExceededException",
      APP_CLIENT_MESSAGES.quota(quota, client.UserPoolId),
    );
  }
  pool.store.putClient(client);
  return { UserPoolClient: client };
};

/** DescribeUserPoolClient → `{UserPoolClient}`, secret included. */
export const describeUserPoolClient: Operation = (input, pool) => {
  const request = readInput(input, USER_POOL_CLIENT_REF) as {
    UserPoolId: string;
    ClientId: string;
  };
  assertUserPool(pool, request.UserPoolId);
  return { UserPoolClient: requireClient(pool, request.ClientId) };
};

/** UpdateUserPoolClient → `{UserPoolClient}`: the request replaces the whole configuration. */
export const updateUserPoolClient: Operation = (input, pool) => {
  const request = readInput(input, UPDATE_USER_POOL_CLIENT) as {
    UserPoolId: string;
    ClientId: string;
  };
  assertUserPool(pool, request.UserPoolId);
  const existing = requireClient(pool, request.ClientId);
  const client = buildUserPoolClient(input, {
    template: pool.template,
    userPoolId: pool.config.userPoolId,
    now: pool.now(),
    existing,
  });
  pool.store.putClient(client);
  return { UserPoolClient: client };
};

/** DeleteUserPoolClient → `{}`. */
export const deleteUserPoolClient: Operation = (input, pool) => {
  const request = readInput(input, USER_POOL_CLIENT_REF) as {
    UserPoolId: string;
    ClientId: string;
  };
  assertUserPool(pool, request.UserPoolId);
  requireClient(pool, request.ClientId);
  pool.store.deleteClient(request.ClientId);
  return {};
};

/** ListUserPoolClients → `{UserPoolClients: [{ClientId, UserPoolId, ClientName}], NextToken?}`. */
export const listUserPoolClients: Operation = (input, pool) => {
  const request = readInput(input, LIST_USER_POOL_CLIENTS) as {
    UserPoolId: string;
    MaxResults?: number;
    NextToken?: string;
  };
  assertUserPool(pool, request.UserPoolId);
  const after =
    request.NextToken === undefined
      ? undefined
      : readNextToken(request.NextToken, request.UserPoolId);
  const page = pool.store.listClients(request.MaxResults ?? DEFAULT_LIST_MAX_RESULTS, after);
  return {
    UserPoolClients: page.items.map(({ ClientId, UserPoolId, ClientName }) => ({
      ClientId,
      UserPoolId,
      ClientName,
    })),
    ...(page.next !== undefined ? { NextToken: makeNextToken(page.next, request.UserPoolId) } : {}),
  };
};

const encoder = new TextEncoder();
const NEXT_TOKEN_VERSION = 1;

/** An opaque token that continues a listing after `clientId`, valid for this pool only. */
function makeNextToken(clientId: string, userPoolId: string): string {
  return base64urlEncode(
    encoder.encode(JSON.stringify({ v: NEXT_TOKEN_VERSION, p: userPoolId, a: clientId })),
  );
}

function readNextToken(token: string, userPoolId: string): string {
  let decoded: unknown;
  try {
    const binary = atob(token.replace(/-/g, "+").replace(/_/g, "/"));
    decoded = JSON.parse(
      new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(
        Uint8Array.from(binary, (c) => c.charCodeAt(0)),
      ),
    );
  } catch {
    throw new CognitoError("InvalidParameterException", APP_CLIENT_MESSAGES.badNextToken);
  }
  const value = decoded as { v?: unknown; p?: unknown; a?: unknown } | null;
  if (
    typeof value !== "object" ||
    value === null ||
    value.v !== NEXT_TOKEN_VERSION ||
    value.p !== userPoolId ||
    typeof value.a !== "string" ||
    !/^[\w+]{1,128}$/.test(value.a)
  ) {
    throw new CognitoError("InvalidParameterException", APP_CLIENT_MESSAGES.badNextToken);
  }
  return value.a;
}
