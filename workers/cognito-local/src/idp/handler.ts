import { isJsonObject } from "@mcp-cognito-workers/http";
import type { PoolServices } from "../pool-services";
import { AMZ_JSON, CognitoError } from "./cognito-error";
import { OPERATIONS, type Operation } from "./operations";
import { verifySigV4 } from "./sigv4";

/** The `X-Amz-Target` prefix of Cognito user pool operations. */
export const TARGET_PREFIX = "AWSCognitoIdentityProviderService.";
/** The SigV4 service name of the IdP API. */
export const SIGNING_SERVICE = "cognito-idp";

/**
 * Serves Cognito's IdP JSON API (`POST /`, `application/x-amz-json-1.1`): checks the SigV4
 * signature, the target, the JSON body and the per-operation rate limit, in that order, then runs
 * the operation. A {@link CognitoError} becomes Cognito's error answer; any other error propagates.
 */
export async function handleIdpRequest(request: Request, pool: PoolServices): Promise<Response> {
  const requestId = crypto.randomUUID();
  try {
    const body = new Uint8Array(await request.arrayBuffer());
    await verifySigV4(request, body, {
      accessKeyId: pool.config.accessKeyId,
      secretAccessKey: pool.config.secretAccessKey,
      region: pool.config.region,
      service: SIGNING_SERVICE,
      now: pool.now(),
    });
    const [name, operation] = findOperation(request.headers.get("x-amz-target"));
    const input = parseBody(body);
    if (!pool.limiter.tryAcquire(name, pool.now(), pool.runtime().rateLimitPerSecond)) {
      throw new CognitoError("TooManyRequestsException", "Rate exceeded");
    }
    const output = await operation(input, pool);
    return new Response(JSON.stringify(output), {
      status: 200,
      headers: { "content-type": AMZ_JSON, "x-amzn-requestid": requestId },
    });
  } catch (error) {
    if (error instanceof CognitoError) return error.toResponse(requestId);
    throw error;
  }
}

function findOperation(target: string | null): [string, Operation] {
  const name = target?.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : undefined;
  // Own names only: `__proto__`, `constructor` or `toString` must not reach Object.prototype.
  const operation =
    name !== undefined && Object.hasOwn(OPERATIONS, name) ? OPERATIONS[name] : undefined;
  if (name === undefined || operation === undefined) {
    throw new CognitoError(
      "UnknownOperationException",
      `The operation ${target || "(no X-Amz-Target)"} is unknown, or not served by the local Cognito stand-in.`,
    );
  }
  return [name, operation];
}

/** The JSON object of the request; an empty body is `{}`, as AWS's JSON protocol reads it. */
function parseBody(body: Uint8Array): Record<string, unknown> {
  if (body.byteLength === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(body));
  } catch {
    throw new CognitoError("SerializationException", "The request body is not valid JSON.");
  }
  if (!isJsonObject(value)) {
    throw new CognitoError("SerializationException", "The request body is not a JSON object.");
  }
  return value;
}
