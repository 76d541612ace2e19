// workers/dcr's IAM access keys, through the AWS CLI: listed, created, deleted, and tried against
// Cognito.
import { CommandError } from "../runner.mjs";
import { buildAwsArgs } from "./args.mjs";

/**
 * An IAM user's access keys (ids and status, never a secret), or undefined when there is no such
 * user.
 * @returns {Promise<{accessKeyId: string, status: string}[] | undefined>}
 */
export async function listAccessKeys(run, aws, userName) {
  const args = ["iam", "list-access-keys", "--user-name", userName, "--output", "json"];
  const result = await run("aws", [...args, ...buildAwsArgs(aws)], { allowFailure: true });
  if (result.code !== 0) {
    if (/NoSuchEntity/.test(result.stderr)) return undefined;
    throw new CommandError("aws", args, result);
  }
  return (JSON.parse(result.stdout).AccessKeyMetadata ?? []).map((key) => ({
    accessKeyId: key.AccessKeyId,
    status: key.Status,
  }));
}

/**
 * Creates an access key for an IAM user. Its secret comes from the CLI's stdout into memory, and
 * is never logged; IAM shows it this once.
 * @returns {Promise<{accessKeyId: string, secretAccessKey: string}>}
 */
export async function createAccessKey(run, aws, userName) {
  const { stdout } = await run("aws", [
    "iam",
    "create-access-key",
    "--user-name",
    userName,
    "--output",
    "json",
    ...buildAwsArgs(aws),
  ]);
  const key = JSON.parse(stdout).AccessKey;
  if (typeof key?.AccessKeyId !== "string" || typeof key?.SecretAccessKey !== "string")
    throw new Error("aws iam create-access-key answered without an access key");
  return { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey };
}

/** Deletes one access key of an IAM user; a key already gone is not an error. */
export async function deleteAccessKey(run, aws, userName, accessKeyId) {
  const args = ["iam", "delete-access-key", "--user-name", userName];
  const result = await run("aws", [...args, "--access-key-id", accessKeyId, ...buildAwsArgs(aws)], {
    allowFailure: true,
  });
  if (result.code !== 0 && !/NoSuchEntity/.test(result.stderr))
    throw new CommandError("aws", [...args, "--access-key-id", accessKeyId], result);
}

/**
 * One Cognito call signed with the given key pair instead of the deployer's:
 * `list-user-pool-clients --max-results 1`, which dcr's IAM policy allows. The pair is in that one
 * process's environment (never argv); the deployer's session token and profile do not apply.
 * @param {{accessKeyId: string, secretAccessKey: string}} credentials
 * @returns {Promise<import("../runner.mjs").RunResult>} exit code 0 when Cognito accepted the call
 */
export async function callCognitoWithKey(run, aws, userPoolId, credentials) {
  return run(
    "aws",
    [
      "cognito-idp",
      "list-user-pool-clients",
      "--user-pool-id",
      userPoolId,
      "--max-results",
      "1",
      "--output",
      "json",
      ...buildAwsArgs(aws),
    ],
    {
      allowFailure: true,
      env: {
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        // Credentials from the environment win over a profile (AWS_PROFILE); a session token left
        // from the deployer's own credentials would not match this key.
        AWS_SESSION_TOKEN: undefined,
        AWS_SECURITY_TOKEN: undefined,
      },
    },
  );
}
