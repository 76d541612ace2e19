import { execFile } from "node:child_process";
import { readWorkerVars, startCognitoLocal } from "@mcp-cognito-workers/test-support/stack";
import { hasCommand, requireTool } from "@mcp-cognito-workers/test-support/tools";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as wrangler from "wrangler";

const standInVars = readWorkerVars(wrangler, "cognito-local");

const POOL_ID = standInVars.USER_POOL_ID as string;
const HAS_AWS = requireTool("The AWS CLI (aws)", () => hasCommand("aws"), "pip install awscli");

let standIn: Awaited<ReturnType<typeof startCognitoLocal>>;

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `aws cognito-idp <args>` against the stand-in with the local key pair and nothing else. */
function aws(...args: string[]): Promise<CliResult> {
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_ACCESS_KEY_ID: standInVars.LOCAL_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: standInVars.LOCAL_SECRET_ACCESS_KEY,
    AWS_EC2_METADATA_DISABLED: "true",
    // Keep a developer's own profiles, session token and pager out of the test.
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    AWS_PAGER: "",
  };
  const argv = [
    "cognito-idp",
    ...args,
    "--endpoint-url",
    standIn.origin,
    "--region",
    standInVars.AWS_REGION as string,
    "--output",
    "json",
  ];
  return new Promise((resolve) => {
    execFile("aws", argv, { env, timeout: 50_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

function parse<T>(result: CliResult): T {
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as T;
}

interface ClientOutput {
  UserPoolClient: {
    ClientId: string;
    ClientName: string;
    ClientSecret?: string;
    CallbackURLs?: string[];
  };
}

beforeAll(async () => {
  if (!HAS_AWS) return;
  standIn = await startCognitoLocal(wrangler);
  await fetch(`${standIn.origin}/_local/settings`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ rateLimitPerSecond: 0 }),
  });
});

afterAll(async () => {
  await standIn?.stop();
});

describe.skipIf(!HAS_AWS)("AWS CLI v1 against the stand-in", () => {
  it("creates, describes, updates, lists and deletes an app client", async () => {
    // CLI v1 fetches any argument that starts with http:// or https://; a JSON list is taken as is.
    const created = parse<ClientOutput>(
      await aws(
        "create-user-pool-client",
        "--user-pool-id",
        POOL_ID,
        "--client-name",
        "cli-client",
        "--generate-secret",
        "--callback-urls",
        JSON.stringify(["http://localhost:7777/cb"]),
        "--allowed-o-auth-flows",
        "code",
        "--allowed-o-auth-scopes",
        "openid",
        "mcp-api/read",
        "--allowed-o-auth-flows-user-pool-client",
      ),
    ).UserPoolClient;
    expect(created.ClientId).toMatch(/^[a-z0-9]{26}$/);
    expect(created.ClientSecret).toMatch(/^[a-z0-9]{52}$/);
    expect(created.CallbackURLs).toEqual(["http://localhost:7777/cb"]);

    const described = parse<ClientOutput>(
      await aws(
        "describe-user-pool-client",
        "--user-pool-id",
        POOL_ID,
        "--client-id",
        created.ClientId,
      ),
    ).UserPoolClient;
    expect(described).toEqual(created);

    const updated = parse<ClientOutput>(
      await aws(
        "update-user-pool-client",
        "--user-pool-id",
        POOL_ID,
        "--client-id",
        created.ClientId,
        "--client-name",
        "cli-client-renamed",
        "--callback-urls",
        JSON.stringify(["https://app.example.com/cb"]),
      ),
    ).UserPoolClient;
    expect(updated).toMatchObject({
      ClientId: created.ClientId,
      ClientName: "cli-client-renamed",
      ClientSecret: created.ClientSecret,
      CallbackURLs: ["https://app.example.com/cb"],
    });

    // The CLI follows NextToken itself; a page size of 1 makes it do so.
    const listed = parse<{
      UserPoolClients: { ClientId: string; ClientName: string; UserPoolId: string }[];
    }>(
      await aws("list-user-pool-clients", "--user-pool-id", POOL_ID, "--page-size", "1"),
    ).UserPoolClients;
    expect(listed).toContainEqual({
      ClientId: created.ClientId,
      ClientName: "cli-client-renamed",
      UserPoolId: POOL_ID,
    });
    expect(listed.map((c) => c.ClientId)).toContain(standInVars.STATIC_CLIENT_ID);

    const deleted = await aws(
      "delete-user-pool-client",
      "--user-pool-id",
      POOL_ID,
      "--client-id",
      created.ClientId,
    );
    expect(deleted.code, deleted.stderr).toBe(0);
    const gone = await aws(
      "describe-user-pool-client",
      "--user-pool-id",
      POOL_ID,
      "--client-id",
      created.ClientId,
    );
    expect([254, 255]).toContain(gone.code);
    expect(gone.stderr).toContain("(ResourceNotFoundException)");
  });

  it("gets InvalidParameterException for an http:// callback URL", async () => {
    const result = await aws(
      "create-user-pool-client",
      "--user-pool-id",
      POOL_ID,
      "--client-name",
      "cli-bad-client",
      "--callback-urls",
      JSON.stringify(["http://example.com/cb"]),
    );
    expect([254, 255]).toContain(result.code);
    expect(result.stderr).toContain(
      "An error occurred (InvalidParameterException) when calling the CreateUserPoolClient operation: http://example.com/cb cannot use the HTTP protocol.",
    );
  });
});
