// KV namespaces, worker deploys and secrets, through the repository's wrangler.

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

/** Deploys one worker from its generated configuration. */
export async function deployWorker(cf, worker, configFile) {
  await wrangler(cf, ["deploy", "--config", configFile], { cwd: worker.dir });
}

/** Names of a worker's secrets (never their values, which cannot be read back). */
export async function listSecretNames(cf, worker, configFile) {
  const { stdout } = await wrangler(cf, ["secret", "list", "--config", configFile], {
    cwd: worker.dir,
  });
  const start = stdout.indexOf("[");
  return start < 0 ? [] : JSON.parse(stdout.slice(start)).map((secret) => secret.name);
}

/** Sets one secret; the value goes through stdin, never argv or a log. */
export async function putSecret(cf, worker, configFile, name, value) {
  await wrangler(cf, ["secret", "put", name, "--config", configFile], {
    cwd: worker.dir,
    input: value,
  });
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
