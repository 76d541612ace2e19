import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { expect } from "vitest";
import { createWorker } from "../src/app";

export const ISSUER = env.ISSUER;
export const COGNITO_ISSUER = env.COGNITO_ISSUER;
export const POOL_ID = env.COGNITO_USER_POOL_ID;
/** A fixed clock: 2026-11-26T00:00:00Z. */
export const NOW = Date.UTC(2026, 10, 26);

/** A Cognito call the fake received. */
export interface RecordedCall {
  operation: string;
  input: Record<string, unknown>;
  authorization: string;
}

interface StoredClient {
  ClientId: string;
  ClientName: string;
  ClientSecret?: string;
  CreationDate: number;
  [key: string]: unknown;
}

/**
 * An in-memory Cognito IdP API and discovery endpoint, as an injected `fetch`. It records every
 * call and can be told to fail the next calls of an operation with a given `__type`.
 */
export class FakeCognito {
  readonly calls: RecordedCall[] = [];
  readonly clients = new Map<string, StoredClient>();
  discoveryFetches = 0;
  private failures: { operation: string; type: string; status: number; times: number }[] = [];

  constructor(private readonly now: () => number = () => NOW) {}

  /** Makes the next `times` calls of `operation` fail with `type`. */
  fail(operation: string, type: string, options: { status?: number; times?: number } = {}) {
    this.failures.push({
      operation,
      type,
      status: options.status ?? 400,
      times: options.times ?? 1,
    });
  }

  /** Adds a client as if created outside the facade (or long ago). */
  seed(client: Partial<StoredClient> & { ClientName: string }): string {
    const id = client.ClientId ?? this.newId();
    this.clients.set(id, { CreationDate: this.now() / 1000, ...client, ClientId: id });
    return id;
  }

  callsOf(operation: string): RecordedCall[] {
    return this.calls.filter((call) => call.operation === operation);
  }

  readonly fetch: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    if (request.method === "GET" && url.pathname.endsWith("/.well-known/openid-configuration")) {
      this.discoveryFetches++;
      const issuer = `${url.origin}${url.pathname.replace("/.well-known/openid-configuration", "")}`;
      return Response.json(discoveryFor(issuer));
    }
    const target = request.headers.get("x-amz-target") ?? "";
    const operation = target.replace("AWSCognitoIdentityProviderService.", "");
    const input2 = (await request.json()) as Record<string, unknown>;
    this.calls.push({
      operation,
      input: input2,
      authorization: request.headers.get("authorization") ?? "",
    });
    const failure = this.failures.find((f) => f.operation === operation && f.times > 0);
    if (failure) {
      failure.times--;
      return error(
        failure.type,
        `${failure.type} (upstream detail: arn:aws:secret-ish)`,
        failure.status,
      );
    }
    return this.handle(operation, input2);
  };

  /** 26 lowercase alphanumerics, as Cognito's; random, as tests in one file share KV. */
  private newId(): string {
    const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    return [...crypto.getRandomValues(new Uint8Array(26))].map((b) => alphabet[b % 36]).join("");
  }

  private handle(operation: string, input: Record<string, unknown>): Response {
    if (input.UserPoolId !== POOL_ID) return error("ResourceNotFoundException", "no pool");
    switch (operation) {
      case "CreateUserPoolClient": {
        const { GenerateSecret, UserPoolId: _, ...config } = input;
        const id = this.newId();
        const client: StoredClient = {
          ...config,
          ClientId: id,
          ClientName: String(config.ClientName),
          CreationDate: this.now() / 1000,
          ...(GenerateSecret ? { ClientSecret: `secret-${id}-${"x".repeat(20)}` } : {}),
        };
        this.clients.set(id, client);
        return ok({ UserPoolClient: { UserPoolId: POOL_ID, ...client } });
      }
      case "DescribeUserPoolClient": {
        const client = this.clients.get(String(input.ClientId));
        if (!client) return error("ResourceNotFoundException", "User pool client does not exist.");
        return ok({ UserPoolClient: { UserPoolId: POOL_ID, ...client } });
      }
      case "UpdateUserPoolClient": {
        const old = this.clients.get(String(input.ClientId));
        if (!old) return error("ResourceNotFoundException", "User pool client does not exist.");
        const { UserPoolId: _, ...config } = input;
        // Full replace: only identity, secret and creation date survive.
        const client: StoredClient = {
          ...config,
          ClientId: old.ClientId,
          ClientName: String(config.ClientName ?? old.ClientName),
          CreationDate: old.CreationDate,
          ...(old.ClientSecret ? { ClientSecret: old.ClientSecret } : {}),
        };
        this.clients.set(old.ClientId, client);
        return ok({ UserPoolClient: { UserPoolId: POOL_ID, ...client } });
      }
      case "DeleteUserPoolClient": {
        if (!this.clients.delete(String(input.ClientId)))
          return error("ResourceNotFoundException", "User pool client does not exist.");
        return ok({});
      }
      case "ListUserPoolClients": {
        const all = [...this.clients.values()];
        const start = Number(input.NextToken ?? 0);
        const max = Number(input.MaxResults ?? 60);
        const page = all.slice(start, start + max);
        return ok({
          UserPoolClients: page.map((c) => ({
            ClientId: c.ClientId,
            UserPoolId: POOL_ID,
            ClientName: c.ClientName,
          })),
          ...(start + max < all.length ? { NextToken: String(start + max) } : {}),
        });
      }
      default:
        return error("UnknownOperationException", operation);
    }
  }
}

function ok(body: object): Response {
  return Response.json(body, {
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amzn-requestid": crypto.randomUUID(),
    },
  });
}

function error(type: string, message: string, status = 400): Response {
  return new Response(JSON.stringify({ __type: type, message }), {
    status,
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amzn-errortype": `${type}:`,
      "x-amzn-requestid": crypto.randomUUID(),
    },
  });
}

/** Cognito's discovery document for an issuer (the stand-in's shape, managed login at the origin). */
export function discoveryFor(issuer: string) {
  const origin = new URL(issuer).origin;
  return {
    issuer,
    authorization_endpoint: `${origin}/oauth2/authorize`,
    token_endpoint: `${origin}/oauth2/token`,
    userinfo_endpoint: `${origin}/oauth2/userInfo`,
    revocation_endpoint: `${origin}/oauth2/revoke`,
    end_session_endpoint: `${origin}/logout`,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    response_types_supported: ["code", "token"],
    scopes_supported: ["openid", "email", "phone", "profile"],
    subject_types_supported: ["public"],
    id_token_signing_alg_values_supported: ["RS256"],
    token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
  };
}

let ipCounter = 0;
/** A documentation-range IPv6 address not used before in this isolate. */
export function uniqueIp(): string {
  ipCounter++;
  return `2001:db8::${ipCounter.toString(16)}:${crypto.getRandomValues(new Uint16Array(1))[0]?.toString(16)}`;
}

/** Options of {@link setup}. */
export interface SetupOptions {
  vars?: Partial<Env>;
  now?: () => number;
}

/** A facade with a fake Cognito, fixed time and no real sleeping. */
export function setup(options: SetupOptions = {}) {
  const now = options.now ?? (() => NOW);
  const cognito = new FakeCognito(now);
  const sleeps: number[] = [];
  const worker = createWorker({
    fetch: cognito.fetch,
    now,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
  });
  const testEnv: Env = { ...env, ...options.vars } as Env;
  // One source per setup, so that tests do not share the rate limit or the daily cap.
  const source = uniqueIp();
  const call = async (path: string, init: RequestInit = {}, ip = source) => {
    const headers = new Headers(init.headers);
    headers.set("CF-Connecting-IP", ip);
    const ctx = createExecutionContext();
    const response = await worker.fetch(
      new Request(new URL(path, ISSUER), { ...init, headers }),
      testEnv,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    return response;
  };
  const register = (body: unknown, headers: Record<string, string> = {}, ip?: string) =>
    call(
      "/register",
      {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: typeof body === "string" ? body : JSON.stringify(body),
      },
      ip,
    );
  return { worker, cognito, sleeps, env: testEnv, call, register, source };
}

/** The Inspector registration of the issue's "Done when". */
export const INSPECTOR = {
  redirect_uris: ["http://localhost:6274/oauth/callback"],
  client_name: "Inspector",
  token_endpoint_auth_method: "none",
};

/** Expects an OAuth error response and returns its body. */
export async function expectOAuthError(
  response: Response,
  status: number,
  code: string,
  description?: string | RegExp,
) {
  const body = (await response.json()) as { error: string; error_description: string };
  expect({ status: response.status, error: body.error }).toEqual({ status, error: code });
  expect(response.headers.get("cache-control")).toBe("no-store");
  if (typeof description === "string") expect(body.error_description).toBe(description);
  else if (description) expect(body.error_description).toMatch(description);
  return body;
}
