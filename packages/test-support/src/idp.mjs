// The stand-in's IdP JSON API, called as an operator would: SigV4 with its local keys.
import { AwsClient } from "aws4fetch";

/**
 * Calls the stand-in's IdP JSON API at its `origin` as an operator would (SigV4 with its local
 * keys, its pool), to look behind the facade; returns the status and the JSON body. `offsetMs`
 * signs as of that many milliseconds from now (for a stand-in whose clock is moved).
 * @param {{origin: string, vars: Record<string, string>}} standIn
 * @param {{offsetMs?: number}} [options]
 */
export async function callIdp(standIn, operation, input, options = {}) {
  const aws = new AwsClient({
    accessKeyId: standIn.vars.LOCAL_ACCESS_KEY_ID,
    secretAccessKey: standIn.vars.LOCAL_SECRET_ACCESS_KEY,
    service: "cognito-idp",
    region: standIn.vars.AWS_REGION,
  });
  const datetime = new Date(Date.now() + (options.offsetMs ?? 0))
    .toISOString()
    .replace(/[:-]|\.\d{3}/g, "");
  const res = await aws.fetch(`${standIn.origin}/`, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": `AWSCognitoIdentityProviderService.${operation}`,
    },
    body: JSON.stringify({ UserPoolId: standIn.vars.USER_POOL_ID, ...input }),
    aws: { datetime },
  });
  return { status: res.status, body: await res.json() };
}

/**
 * The configuration of an AWS SDK v3 `CognitoIdentityProviderClient` for the stand-in: its
 * region, its IdP API at `origin`, its local keys, no retries.
 * @param {{origin: string, vars: Record<string, string>}} standIn
 */
export function buildSdkClientConfig(standIn) {
  return {
    region: standIn.vars.AWS_REGION,
    endpoint: standIn.origin,
    credentials: {
      accessKeyId: standIn.vars.LOCAL_ACCESS_KEY_ID,
      secretAccessKey: standIn.vars.LOCAL_SECRET_ACCESS_KEY,
    },
    maxAttempts: 1,
  };
}
