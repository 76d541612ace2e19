import { env, SELF } from "cloudflare:test";
import { AwsV4Signer } from "aws4fetch";
import { expect } from "vitest";

/** Where the tests reach the stand-in's IdP API. */
export const IDP_URL = "http://localhost:9229/";
export const POOL_ID = env.USER_POOL_ID;
export const CREDENTIALS = {
  accessKeyId: env.LOCAL_ACCESS_KEY_ID,
  secretAccessKey: env.LOCAL_SECRET_ACCESS_KEY,
};

/** How to sign one request; every field defaults to what a correct client sends. */
export interface SignOptions {
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  region?: string;
  service?: string;
  /** `X-Amz-Date`, `YYYYMMDDTHHMMSSZ`. */
  datetime?: string;
  /** The full `X-Amz-Target` (null: none); default `AWSCognitoIdentityProviderService.<operation>`. */
  target?: string | null;
  /** Extra headers, signed too (as the AWS SDK signs `content-type`). */
  headers?: Record<string, string>;
  /** Sign `content-type` as well, as the AWS SDK and CLI do. */
  signContentType?: boolean;
  /** Where the request goes; default {@link IDP_URL}. */
  url?: string;
}

/** A SigV4-signed IdP API request, built as aws4fetch builds it. */
export async function signedRequest(
  operation: string,
  body: object | string,
  options: SignOptions = {},
): Promise<Request> {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  const target =
    options.target === undefined
      ? `AWSCognitoIdentityProviderService.${operation}`
      : options.target;
  const headers: Record<string, string> = {
    ...(target === null ? {} : { "x-amz-target": target }),
    ...options.headers,
  };
  if (options.signContentType) headers["content-type"] = "application/x-amz-json-1.1";
  const signer = new AwsV4Signer({
    url: options.url ?? IDP_URL,
    method: "POST",
    headers,
    body: text,
    accessKeyId: options.accessKeyId ?? CREDENTIALS.accessKeyId,
    secretAccessKey: options.secretAccessKey ?? CREDENTIALS.secretAccessKey,
    service: options.service ?? "cognito-idp",
    region: options.region ?? env.AWS_REGION,
    allHeaders: true,
    ...(options.sessionToken ? { sessionToken: options.sessionToken } : {}),
    ...(options.datetime ? { datetime: options.datetime } : {}),
  });
  const signed = await signer.sign();
  signed.headers.set("content-type", "application/x-amz-json-1.1");
  return new Request(signed.url, { method: "POST", headers: signed.headers, body: text });
}

/** A copy of a request with some headers replaced (`null` removes one) and maybe another body. */
export function tamper(
  request: Request,
  changes: { headers?: Record<string, string | null>; body?: string },
): Promise<Request> {
  return (async () => {
    const headers = new Headers(request.headers);
    for (const [name, value] of Object.entries(changes.headers ?? {})) {
      if (value === null) headers.delete(name);
      else headers.set(name, value);
    }
    const body = changes.body ?? new TextDecoder().decode(await request.clone().arrayBuffer());
    return new Request(request.url, { method: "POST", headers, body });
  })();
}

/** What an IdP API call answered. */
export interface IdpAnswer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

/** Sends a request to the stand-in and reads the JSON answer. */
export async function send<T = Record<string, unknown>>(request: Request): Promise<IdpAnswer<T>> {
  const response = await SELF.fetch(request);
  const bytes = await response.arrayBuffer();
  const text = new TextDecoder().decode(bytes);
  return { status: response.status, headers: response.headers, body: JSON.parse(text) as T };
}

/** Calls an operation with a correctly signed request. */
export async function call<T = Record<string, unknown>>(
  operation: string,
  body: object | string,
  options?: SignOptions,
): Promise<IdpAnswer<T>> {
  return send<T>(await signedRequest(operation, body, options));
}

/** Asserts a Cognito error answer: 400, `__type`, exact message, `x-amzn-errortype`, request id. */
export function expectCognitoError(answer: IdpAnswer, type: string, message: string): void {
  expect(answer.body).toEqual({ __type: type, message });
  expect(answer.status).toBe(400);
  expect(answer.headers.get("x-amzn-errortype")).toMatch(
    new RegExp(`^${type}:http://internal\\.amazon\\.com/coral/`),
  );
  expect(answer.headers.get("x-amzn-requestid")).toMatch(UUID);
  expect(answer.headers.get("content-type")).toBe("application/x-amz-json-1.1");
}

/** Asserts a 200 answer of the IdP API, and returns its body. */
export function expectOk<T>(answer: IdpAnswer<T>): T {
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  expect(answer.headers.get("content-type")).toBe("application/x-amz-json-1.1");
  expect(answer.headers.get("x-amzn-requestid")).toMatch(UUID);
  return answer.body;
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Changes the stand-in's run-time settings through its test hook. */
export async function setLocalSettings(settings: {
  appClientQuota?: number;
  rateLimitPerSecond?: number;
  clockOffsetMs?: number;
}): Promise<{ appClientQuota: number; rateLimitPerSecond: number; clockOffsetMs: number }> {
  const response = await SELF.fetch("http://localhost:9229/_local/settings", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(settings),
  });
  if (!response.ok) throw new Error(`/_local/settings refused: ${await response.text()}`);
  return response.json();
}

/** `X-Amz-Date` for a moment. */
export function amzDate(time: number): string {
  return new Date(time).toISOString().replace(/[:-]|\.\d{3}/g, "");
}

/** A name no other test uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${crypto.randomUUID().slice(0, 8)}`;
}
