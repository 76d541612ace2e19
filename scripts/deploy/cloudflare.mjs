// KV namespaces, worker deploys and secrets, through the repository's wrangler.
import { CommandError } from "./runner.mjs";
import { withSecretFile } from "./secret-file.mjs";

/**
 * Runs wrangler as `node <wrangler.js> ...args`.
 * @param {{run: import("./runner.mjs").Runner, wranglerBin: string}} cf
 * @param {string[]} args
 * @param {import("./runner.mjs").RunOptions} [options]
 */
export function wrangler(cf, args, options) {
  return cf.run(process.execPath, [cf.wranglerBin, ...args], options);
}

/** Account's KV namespaces as `{ title: id }`. */
export async function listKvNamespaces(cf, options) {
  const { stdout } = await wrangler(cf, ["kv", "namespace", "list"], options);
  // wrangler prints the JSON array, possibly after a banner.
  const json = stdout.slice(stdout.indexOf("["));
  return Object.fromEntries(JSON.parse(json).map((ns) => [ns.title, ns.id]));
}

/**
 * Ids of the namespaces with these titles, creating only those that are missing, so a second
 * run reuses the first run's namespaces.
 * @param {string[]} titles
 * @returns {Promise<Record<string, string>>} title → id
 */
export async function ensureKvNamespaces(cf, titles, options) {
  let existing = await listKvNamespaces(cf, options);
  const missing = titles.filter((title) => !existing[title]);
  if (missing.length === 0) return pick(existing, titles);
  for (const title of missing) await wrangler(cf, ["kv", "namespace", "create", title], options);
  existing = await listKvNamespaces(cf, options);
  for (const title of titles)
    if (!existing[title]) throw new Error(`KV namespace ${title} was not created`);
  return pick(existing, titles);
}

function pick(ids, titles) {
  return Object.fromEntries(titles.map((title) => [title, ids[title]]));
}

/**
 * Deploys one worker from its generated configuration. `secrets` (name → value), if any, go with
 * the code in the same upload (`--secrets-file`), so the version that goes live already has them;
 * the worker's other secrets are kept as they were. The file is a temporary one only its owner
 * can read, deleted as soon as wrangler is done (withSecretFile).
 * @param {Record<string, string>} [secrets]
 */
export async function deployWorker(cf, worker, configFile, secrets = {}) {
  const args = ["deploy", "--config", configFile];
  if (Object.keys(secrets).length === 0) {
    await wrangler(cf, args, { cwd: worker.dir });
    return;
  }
  await withSecretFile(
    JSON.stringify(secrets),
    (path) => wrangler(cf, [...args, "--secrets-file", path], { cwd: worker.dir }),
    { name: "secrets.json" },
  );
}

/**
 * Names of a worker's secrets (never their values, which cannot be read back); none for a worker
 * that was never deployed.
 */
export async function listSecretNames(cf, worker, configFile) {
  const args = ["secret", "list", "--config", configFile];
  const result = await wrangler(cf, args, { cwd: worker.dir, allowFailure: true });
  if (result.code !== 0) {
    // wrangler 4.86: `Worker "<name>" not found.` and a hint to run `wrangler deploy` first.
    if (/Worker "[^"]*"(?: \(env: [^)]*\))? not found/.test(result.stderr + result.stdout))
      return [];
    throw new CommandError("wrangler", args, result);
  }
  const start = result.stdout.indexOf("[");
  return start < 0 ? [] : JSON.parse(result.stdout.slice(start)).map((secret) => secret.name);
}

/** Deletes one secret of a worker (wrangler asks no question when not on a terminal). */
export async function deleteSecret(cf, worker, configFile, name) {
  await wrangler(cf, ["secret", "delete", name, "--config", configFile], { cwd: worker.dir });
}

/** Deletes one worker (its Durable Objects with it). */
export async function deleteWorker(cf, worker, options) {
  return wrangler(cf, ["delete", worker.name, "--force"], options);
}

/** Deletes one KV namespace by id. */
export async function deleteKvNamespace(cf, id, options) {
  await wrangler(
    cf,
    ["kv", "namespace", "delete", "--namespace-id", id, "--skip-confirmation"],
    options,
  );
}
