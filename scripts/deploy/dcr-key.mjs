// `npm run deploy -- --rotate-dcr-key`: a new access key for workers/dcr's IAM user, stored with
// its id in the stack's DcrCredentials secret, checked against Cognito, carried to the worker by
// the deploy, and only then the old key deleted.
import { readStackResources } from "./aws/cloudformation.mjs";
import {
  callCognitoWithKey,
  createAccessKey,
  deleteAccessKey,
  listAccessKeys,
} from "./aws/iam.mjs";
import { putSecretString, readDcrCredentials } from "./aws/secrets.mjs";

/**
 * Waits between tries of the new key against Cognito, in seconds: IAM takes a few seconds to
 * accept a new key everywhere. Five tries over 30 s in all.
 */
export const DCR_KEY_CHECK_DELAYS_SECONDS = Object.freeze([2, 4, 8, 16]);

/**
 * Wait between the deploy of the workers and the deletion of the old key, in seconds: a request
 * already running on the previous version of dcr still signs with the old key.
 */
export const DCR_OLD_KEY_GRACE_SECONDS = 30;

/** IAM's limit of access keys per user. */
const ACCESS_KEYS_PER_USER = 2;

/**
 * Decides whether a rotation can start and which key it retires: the one in DcrCredentials, if
 * the user still has it. Throws when the user is at IAM's limit of two keys, naming them, so the
 * deployer deletes the stray one (an earlier rotation that stopped half-way, or a key made by
 * hand) rather than the deploy guessing which one a running worker still uses.
 * @param {{userName: string, keys: {accessKeyId: string}[], currentKeyId: string}} options
 * @returns {{retire: string | undefined}}
 */
export function planDcrKeyRotation({ userName, keys, currentKeyId }) {
  if (keys.length >= ACCESS_KEYS_PER_USER) {
    const ids = keys.map((key) => key.accessKeyId);
    const stray = ids.filter((id) => id !== currentKeyId);
    throw new Error(
      `dcr's IAM user ${userName} already has ${ids.length} access keys (${ids.join(", ")}), IAM's limit; DcrCredentials holds ${currentKeyId}. Delete the other one once nothing uses it (aws iam delete-access-key --user-name ${userName} --access-key-id ${stray[0]}) and run again`,
    );
  }
  return {
    retire: keys.some((key) => key.accessKeyId === currentKeyId) ? currentKeyId : undefined,
  };
}

/**
 * @typedef {object} DcrKeyRotation
 * @property {string} userName dcr's IAM user
 * @property {string} newKeyId the key now in DcrCredentials
 * @property {string | undefined} retire the key to delete once the workers run with the new one
 */

/**
 * Tries a key pair against Cognito until it is accepted or the tries run out, waiting
 * DCR_KEY_CHECK_DELAYS_SECONDS between them with `sleep`.
 * @returns {Promise<{ok: true} | {ok: false, tries: number, reason: string}>}
 */
export async function checkDcrKey(run, aws, userPoolId, credentials, options) {
  const delays = DCR_KEY_CHECK_DELAYS_SECONDS;
  let reason = "";
  for (let attempt = 0; attempt <= delays.length; attempt++) {
    const result = await callCognitoWithKey(run, aws, userPoolId, credentials);
    if (result.code === 0) return { ok: true };
    // The CLI's error line, e.g. "An error occurred (UnrecognizedClientException) …"; it never
    // holds the secret.
    reason = result.stderr.trim().split("\n").at(-1) || `exit code ${result.code}`;
    const delay = delays[attempt];
    if (delay === undefined) break;
    options.log(
      `dcr key: Cognito refused ${credentials.accessKeyId} (${reason}); again in ${delay} s`,
    );
    await options.sleep(delay * 1000);
  }
  return { ok: false, tries: delays.length + 1, reason };
}

/**
 * The first half of a rotation, before the workers are deployed: creates a key for the stack's
 * `DcrUser`, stores it with its id in `DcrCredentials` (so the deploy that follows reads both
 * halves from there), and checks that Cognito accepts it. If Cognito keeps refusing it, puts the
 * old pair back, deletes the new key and throws: the old key stays in use.
 * @param {Record<string, string>} outputs the stack's outputs
 * @param {{sleep: (ms: number) => Promise<void>, log: (line: string) => void}} options
 * @returns {Promise<DcrKeyRotation>}
 */
export async function startDcrKeyRotation(run, aws, outputs, options) {
  const { log } = options;
  const userName = (await readStackResources(run, aws)).DcrUser;
  if (!userName) throw new Error(`stack ${aws.stackName} has no DcrUser resource`);
  const secretId = outputs.DcrCredentialsArn;
  if (!secretId) throw new Error("stack output DcrCredentialsArn is missing");
  const current = await readDcrCredentials(run, aws, secretId);
  const keys = await listAccessKeys(run, aws, userName);
  if (keys === undefined) throw new Error(`dcr's IAM user ${userName} does not exist`);
  const { retire } = planDcrKeyRotation({ userName, keys, currentKeyId: current.accessKeyId });

  log(`dcr key: creating a new access key for ${userName}`);
  const created = await createAccessKey(run, aws, userName);
  const pair = (credentials) =>
    JSON.stringify({
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
    });
  try {
    log(`dcr key: storing ${created.accessKeyId} in DcrCredentials`);
    await putSecretString(run, aws, secretId, pair(created));
  } catch (error) {
    await deleteAccessKey(run, aws, userName, created.accessKeyId);
    throw error;
  }

  log(`dcr key: checking ${created.accessKeyId} against Cognito`);
  const check = await checkDcrKey(run, aws, outputs.UserPoolId, created, options);
  if (check.ok) return { userName, newKeyId: created.accessKeyId, retire };

  // Back to where the rotation started: the old pair in the secret, the new key gone. The new key
  // is deleted only once the secret no longer names it.
  let undone;
  try {
    await putSecretString(run, aws, secretId, pair(current));
    try {
      await deleteAccessKey(run, aws, userName, created.accessKeyId);
      undone = `DcrCredentials holds ${current.accessKeyId} again, ${created.accessKeyId} was deleted`;
    } catch (error) {
      undone = `DcrCredentials holds ${current.accessKeyId} again; deleting ${created.accessKeyId} failed too (${messageOf(error)}): delete it with aws iam delete-access-key --user-name ${userName} --access-key-id ${created.accessKeyId}`;
    }
  } catch (error) {
    undone = `putting ${current.accessKeyId} back in DcrCredentials failed too (${messageOf(error)}), so both keys were kept and DcrCredentials holds ${created.accessKeyId}`;
  }
  throw new Error(
    `Cognito refused the new access key ${created.accessKeyId} ${check.tries} times (${check.reason}); ${undone}. The old key ${current.accessKeyId} was left as it was and the workers were not deployed`,
  );
}

function messageOf(error) {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The second half of a rotation, once every worker runs with the new key: waits
 * DCR_OLD_KEY_GRACE_SECONDS, then deletes the old key.
 * @param {DcrKeyRotation} rotation
 * @param {{sleep: (ms: number) => Promise<void>, log: (line: string) => void}} options
 */
export async function finishDcrKeyRotation(run, aws, rotation, options) {
  const { log } = options;
  if (rotation.retire === undefined) {
    log(`dcr key: ${rotation.newKeyId} in use; the old key was already gone`);
    return;
  }
  log(
    `dcr key: ${rotation.newKeyId} in use; deleting ${rotation.retire} in ${DCR_OLD_KEY_GRACE_SECONDS} s`,
  );
  await options.sleep(DCR_OLD_KEY_GRACE_SECONDS * 1000);
  try {
    await deleteAccessKey(run, aws, rotation.userName, rotation.retire);
  } catch (error) {
    throw new Error(
      `dcr runs with the new access key ${rotation.newKeyId}, but deleting the old key ${rotation.retire} failed: delete it with aws iam delete-access-key --user-name ${rotation.userName} --access-key-id ${rotation.retire}\n${messageOf(error)}`,
    );
  }
  log(`dcr key: ${rotation.retire} deleted`);
}
