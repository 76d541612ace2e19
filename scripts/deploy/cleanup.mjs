// `npm run cleanup`: removes what `npm run deploy` made: the workers, their KV namespaces and the
// Cognito stack (user pool, app clients, IAM user, secrets, alert topic), turning the user pool's
// deletion protection off just before.
import { existsSync } from "node:fs";
import { importWrangler, REPO_ROOT } from "../lib/wrangler.mjs";
import {
  canUpdateStack,
  deleteStack,
  disableDeletionProtection,
  readStackResources,
  readStackStatus,
} from "./aws/cloudformation.mjs";
import { deleteAccessKey, listAccessKeys } from "./aws/iam.mjs";
import { deleteKvNamespace, deleteWorker, listKvNamespaces } from "./cloudflare.mjs";
import { readDeployConfig, stackSettings } from "./deploy.mjs";
import { kvNamespaceTitle } from "./plan.mjs";
import { createProcessRunner } from "./runner.mjs";

/**
 * Deletes every deployed worker, the KV namespaces they bind and the stack, once `confirm`
 * resolves true (skipped with `yes`). Workers or namespaces already gone are not an error, so a
 * second run finishes too.
 * @param {object} options
 * @param {{name: string, dir: string, configPath: string}[]} options.workers
 * @param {string} options.wranglerBin
 * @param {string} [options.configPath]
 * @param {import("./plan.mjs").DeployConfig} [options.config]
 * @param {boolean} [options.yes] skip the confirmation
 * @param {(question: string, expected: string) => Promise<boolean>} [options.confirm]
 * @param {import("./runner.mjs").Runner} [options.run]
 * @param {(path: string) => Record<string, any>} [options.readRawConfig]
 * @param {(line: string) => void} [options.log]
 * @returns {Promise<boolean>} whether anything was deleted
 */
export async function cleanup(options) {
  const log = options.log ?? ((line) => console.log(line));
  const run = options.run ?? createProcessRunner({ log });
  const config =
    options.config ??
    (options.configPath && existsSync(options.configPath)
      ? readDeployConfig(options.configPath)
      : {});
  const readRawConfig =
    options.readRawConfig ??
    (await importWrangler().then(
      (w) => (path) => w.experimental_readRawConfig({ config: path }).rawConfig,
    ));
  const aws = stackSettings(config);
  const names = options.workers.map((w) => w.name);

  if (!options.yes) {
    const question = `This deletes the workers ${names.join(", ")}, their KV namespaces (and data) and the CloudFormation stack ${aws.stackName} (the user pool and its users: the user pool's deletion protection is turned off first). Type the stack name to go on: `;
    if (!(await options.confirm(question, aws.stackName))) {
      log("nothing deleted");
      return false;
    }
  }

  const cf = { run, wranglerBin: options.wranglerBin };
  for (const worker of options.workers) {
    log(`${worker.name}: deleting the worker`);
    const result = await deleteWorker(cf, worker, { cwd: worker.dir, allowFailure: true });
    if (result.code !== 0 && !/not found|does not exist|10007/i.test(result.stderr + result.stdout))
      throw new Error(`wrangler delete ${worker.name} failed:\n${result.stderr.trim()}`);
  }

  const localIds = new Set(
    options.workers.flatMap((w) =>
      (readRawConfig(w.configPath).kv_namespaces ?? []).map((ns) => ns.id),
    ),
  );
  const titles = new Set([...localIds].map((id) => kvNamespaceTitle(id, config)));
  const existing = await listKvNamespaces(cf, { cwd: REPO_ROOT });
  for (const [title, id] of Object.entries(existing)) {
    if (!titles.has(title)) continue;
    log(`KV namespace ${title}: deleting`);
    await deleteKvNamespace(cf, id, { cwd: REPO_ROOT });
  }

  const status = await readStackStatus(run, aws);
  if (status === undefined) {
    log(`stack ${aws.stackName}: not found, nothing to delete`);
    log("done");
    return true;
  }
  // The template protects the user pool from deletion (DeletionProtection=ACTIVE); a stack that
  // cannot be updated (its creation rolled back, or a deletion failed) is deleted as it is.
  if (canUpdateStack(status)) {
    log(`stack ${aws.stackName}: turning the user pool's deletion protection off`);
    await disableDeletionProtection(run, aws);
  }
  await deleteRotatedDcrKeys(run, aws, log);
  log(`stack ${aws.stackName}: deleting`);
  await deleteStack(run, aws);
  log("done");
  return true;
}

/**
 * Deletes the access keys of the stack's DcrUser that the stack did not make (those of
 * `npm run deploy -- --rotate-dcr-key`): IAM refuses to delete a user that still has keys, and
 * CloudFormation deletes only the key it made.
 */
async function deleteRotatedDcrKeys(run, aws, log) {
  const resources = await readStackResources(run, aws);
  if (!resources.DcrUser) return;
  const keys = (await listAccessKeys(run, aws, resources.DcrUser)) ?? [];
  for (const { accessKeyId } of keys) {
    if (accessKeyId === resources.DcrAccessKey) continue;
    log(`stack ${aws.stackName}: deleting ${resources.DcrUser}'s access key ${accessKeyId}`);
    await deleteAccessKey(run, aws, resources.DcrUser, accessKeyId);
  }
}
