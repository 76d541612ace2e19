import { isJsonObject } from "@mcp-cognito-workers/http";
import { AwsClient } from "aws4fetch";

/** How to reach the Cognito IdP JSON API; `fetch`, `sleep` and `random` are injectable for tests. */
export interface CognitoClientOptions {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  fetch?: typeof fetch;
  /** Waits between retries of a throttled call. */
  sleep?: (milliseconds: number) => Promise<void>;
  /** Jitter source in [0, 1). */
  random?: () => number;
  /** Attempts of a throttled call, the first included. */
  maxAttempts?: number;
  /**
   * Awaited before each attempt of a call, with the operation's name: the facade's pace of calls
   * (see `createCognitoPacer`), so that it never sends more a second than Cognito allows. What it
   * returns is awaited once the answer is in.
   */
  beforeCall?: (operation: string) => Promise<() => Promise<void>>;
}

/** Attempts of a throttled call when not configured. */
export const COGNITO_MAX_ATTEMPTS = 4;
/** Base of the exponential backoff between throttled attempts. */
export const COGNITO_BACKOFF_BASE_MILLISECONDS = 200;
/** The longest single wait between attempts. */
export const COGNITO_BACKOFF_CAP_MILLISECONDS = 3_000;

/** An error Cognito answered with, named by its `__type`. Never shown to clients as is. */
export class CognitoError extends Error {
  override readonly name = "CognitoError";

  constructor(
    readonly type: string,
    message: string,
    readonly status: number,
    readonly requestId: string | undefined,
  ) {
    super(`${type}: ${message}`);
  }
}

/** Signs (SigV4, service `cognito-idp`) and sends one IdP API call; returns the raw response. */
export async function cognitoRequest(
  operation: string,
  input: object,
  options: CognitoClientOptions,
): Promise<Response> {
  const aws = new AwsClient({
    accessKeyId: options.accessKeyId,
    secretAccessKey: options.secretAccessKey,
    service: "cognito-idp",
    region: options.region,
    retries: 0,
  });
  const request = await aws.sign(options.endpoint, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-amz-json-1.1",
      "X-Amz-Target": `AWSCognitoIdentityProviderService.${operation}`,
    },
    body: JSON.stringify(input),
  });
  try {
    return await (options.fetch ?? fetch)(request);
  } catch (error) {
    // Not retried: a CreateUserPoolClient may have happened before the connection dropped.
    throw new CognitoError("NetworkError", String(error), 0, undefined);
  }
}

/** The `__type` of an error body or `x-amzn-errortype`, without any namespace prefix. */
function errorType(body: unknown, res: Response): string {
  const raw =
    (isJsonObject(body) && body.__type !== undefined ? String(body.__type) : undefined) ??
    res.headers.get("x-amzn-errortype") ??
    "UnknownError";
  return raw.split(":")[0]?.split("#").pop() || "UnknownError";
}

/** Checks a Cognito response: the parsed JSON object on 200, else throws {@link CognitoError}. */
export async function processCognitoResponse(res: Response): Promise<Record<string, unknown>> {
  const text = await res.text();
  let body: unknown;
  try {
    body = text === "" ? {} : JSON.parse(text);
  } catch {
    body = undefined;
  }
  const requestId = res.headers.get("x-amzn-requestid") ?? undefined;
  if (res.status !== 200) {
    const message = isJsonObject(body) ? String(body.message ?? body.Message ?? "") : "";
    throw new CognitoError(errorType(body, res), message, res.status, requestId);
  }
  if (!isJsonObject(body))
    throw new CognitoError(
      "InvalidResponse",
      "the response is not a JSON object",
      res.status,
      requestId,
    );
  return body;
}

/** Throttling, and Cognito's own transient failures: worth another attempt. */
function isRetryable(error: CognitoError): boolean {
  return error.type === "TooManyRequestsException" || error.type === "InternalErrorException";
}

/**
 * Sends a call and processes its answer, retrying throttles with full-jitter exponential backoff
 * (Cognito answers a throttle with 400, which aws4fetch does not retry).
 */
export async function callCognito(
  operation: string,
  input: object,
  options: CognitoClientOptions,
): Promise<Record<string, unknown>> {
  const attempts = options.maxAttempts ?? COGNITO_MAX_ATTEMPTS;
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      const finish = await options.beforeCall?.(operation);
      try {
        return await processCognitoResponse(await cognitoRequest(operation, input, options));
      } finally {
        await finish?.();
      }
    } catch (error) {
      if (!(error instanceof CognitoError) || !isRetryable(error) || attempt >= attempts)
        throw error;
      const ceiling = Math.min(
        COGNITO_BACKOFF_CAP_MILLISECONDS,
        COGNITO_BACKOFF_BASE_MILLISECONDS * 2 ** (attempt - 1),
      );
      await sleep(Math.floor(random() * ceiling));
    }
  }
}
