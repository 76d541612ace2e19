// What the registration bench reads back from the Cognito stand-in: the pool's app clients,
// through its IdP API as dcr calls it, and its count of the API calls it took and throttled.
import { createRequire } from "node:module";
import { join } from "node:path";
import { REPO_ROOT } from "../lib/wrangler.mjs";

/** `require` as dcr resolves packages (aws4fetch, its SigV4 signer, is one of its dependencies). */
const dcrRequire = createRequire(join(REPO_ROOT, "workers", "dcr", "package.json"));

/**
 * Every app client of the stand-in's pool, page by page through `ListUserPoolClients`, signed
 * with the stand-in's local access key.
 * @param {{origin: string, vars: Record<string, string>}} standIn as startCognitoLocal returns it
 */
export async function listAppClients(standIn) {
  const { AwsClient } = await import(dcrRequire.resolve("aws4fetch"));
  const aws = new AwsClient({
    accessKeyId: standIn.vars.LOCAL_ACCESS_KEY_ID,
    secretAccessKey: standIn.vars.LOCAL_SECRET_ACCESS_KEY,
    service: "cognito-idp",
    region: standIn.vars.AWS_REGION,
  });
  const clients = [];
  let nextToken;
  do {
    const res = await aws.fetch(`${standIn.origin}/`, {
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": "AWSCognitoIdentityProviderService.ListUserPoolClients",
      },
      body: JSON.stringify({
        UserPoolId: standIn.vars.USER_POOL_ID,
        MaxResults: 60,
        ...(nextToken ? { NextToken: nextToken } : {}),
      }),
    });
    const body = await res.json();
    clients.push(...(body.UserPoolClients ?? []));
    nextToken = body.NextToken;
  } while (nextToken);
  return clients;
}

/**
 * The stand-in's `/_local/stats`: per IdP API operation, the calls it accepted and throttled.
 * @param {{origin: string}} standIn
 * @returns {Promise<{operations: Record<string, {accepted?: number, throttled?: number}>}>}
 */
export async function readIdpCallStats(standIn) {
  return (await fetch(`${standIn.origin}/_local/stats`)).json();
}
