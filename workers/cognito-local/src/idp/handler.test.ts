import { AwsClient } from "aws4fetch";
import { describe, expect, it } from "vitest";
import type { PoolServices } from "../pool-services";
import { handleIdpRequest } from "./handler";

const KEYS = {
  accessKeyId: "AKIAHANDLERTEST00000",
  secretAccessKey: "handlerTestSecretAccessKey0000000000000",
};

function fakePool(overrides: Partial<PoolServices>): PoolServices {
  return {
    config: { ...KEYS, region: "us-east-1", userPoolId: "us-east-1_Test01" },
    runtime: () => ({ appClientQuota: 10, rateLimitPerSecond: 0, clockOffsetMs: 0 }),
    now: () => Date.now(),
    limiter: { tryAcquire: () => true },
    ...overrides,
  } as unknown as PoolServices;
}

async function describeRequest(): Promise<Request> {
  const aws = new AwsClient({ ...KEYS, service: "cognito-idp", region: "us-east-1" });
  return aws.sign("http://localhost:9229/", {
    method: "POST",
    headers: { "x-amz-target": "AWSCognitoIdentityProviderService.DescribeUserPool" },
    body: JSON.stringify({ UserPoolId: "us-east-1_Test01" }),
  });
}

describe("handleIdpRequest: only CognitoError becomes a Cognito answer", () => {
  it("lets any other error propagate, to become a 500", async () => {
    const pool = fakePool({
      limiter: {
        tryAcquire: () => {
          throw new TypeError("bug");
        },
      } as unknown as PoolServices["limiter"],
    });
    await expect(handleIdpRequest(await describeRequest(), pool)).rejects.toThrow(TypeError);
  });

  it("answers a CognitoError from the operation itself", async () => {
    const pool = fakePool({
      limiter: { tryAcquire: () => false } as unknown as PoolServices["limiter"],
    });
    const response = await handleIdpRequest(await describeRequest(), pool);
    expect(response.status).toBe(400);
    expect(JSON.parse(new TextDecoder().decode(await response.arrayBuffer()))).toEqual({
      __type: "TooManyRequestsException",
      message: "Rate exceeded",
    });
  });
});
