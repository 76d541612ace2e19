import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readWorkerVars, startCognitoLocal } from "@mcp-cognito-workers/test-support/stack";
import { AwsClient } from "aws4fetch";
import { afterAll, describe, expect, it } from "vitest";
import * as wrangler from "wrangler";

const standInVars = readWorkerVars(wrangler, "cognito-local");

const aws = new AwsClient({
  accessKeyId: standInVars.LOCAL_ACCESS_KEY_ID ?? "",
  secretAccessKey: standInVars.LOCAL_SECRET_ACCESS_KEY ?? "",
  service: "cognito-idp",
  region: standInVars.AWS_REGION ?? "",
});
const poolId = standInVars.USER_POOL_ID ?? "";

/** The parts of IdP API answers these tests read. */
interface IdpBody {
  __type?: string;
  UserPoolClient?: { ClientId: string; ClientName: string };
}

async function call(origin: string, operation: string, body: object) {
  const res = await aws.fetch(`${origin}/`, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": `AWSCognitoIdentityProviderService.${operation}`,
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as IdpBody };
}

async function jwksKids(origin: string): Promise<string[]> {
  const res = await fetch(`${origin}/${poolId}/.well-known/jwks.json`);
  const { keys } = (await res.json()) as { keys: { kid: string }[] };
  return keys.map((key) => key.kid);
}

describe("state survives a restart of the stand-in", () => {
  const dir = mkdtempSync(join(tmpdir(), "cognito-local-state-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps app clients, users and signing keys", { timeout: 120_000 }, async () => {
    const first = await startCognitoLocal(wrangler, { persistTo: dir });
    let clientId: string;
    let kids: string[];
    try {
      const created = await call(first.origin, "CreateUserPoolClient", {
        UserPoolId: poolId,
        ClientName: "survivor",
      });
      expect(created.status).toBe(200);
      clientId = created.body.UserPoolClient?.ClientId ?? "";
      const user = await call(first.origin, "AdminCreateUser", {
        UserPoolId: poolId,
        Username: "survivor",
        MessageAction: "SUPPRESS",
      });
      expect(user.status).toBe(200);
      kids = await jwksKids(first.origin);
    } finally {
      await first.stop();
    }

    const second = await startCognitoLocal(wrangler, { persistTo: dir });
    try {
      const described = await call(second.origin, "DescribeUserPoolClient", {
        UserPoolId: poolId,
        ClientId: clientId,
      });
      expect(described.status).toBe(200);
      expect(described.body.UserPoolClient?.ClientName).toBe("survivor");
      const again = await call(second.origin, "AdminCreateUser", {
        UserPoolId: poolId,
        Username: "survivor",
        MessageAction: "SUPPRESS",
      });
      expect(again.body.__type).toBe("UsernameExistsException");
      expect(await jwksKids(second.origin)).toEqual(kids);
    } finally {
      await second.stop();
    }
  });
});
