// Which workers are deployed, and how to run the wrangler that the repository pins.
import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Workers that are never deployed: the Cognito stand-in is for development and tests only. */
export const NEVER_DEPLOYED = new Set(["cognito-local"]);

/**
 * Every deployable worker: each `workers/<name>/wrangler.toml` except the stand-in, sorted by
 * folder name, so a worker added later (workers/client) joins without a change here.
 */
export function listDeployableWorkers(options = {}) {
  const root = options.root ?? REPO_ROOT;
  const workersDir = join(root, "workers");
  return readdirSync(workersDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !NEVER_DEPLOYED.has(entry.name))
    .map((entry) => ({
      name: entry.name,
      dir: join(workersDir, entry.name),
      configPath: join(workersDir, entry.name, "wrangler.toml"),
    }))
    .filter((worker) => existsSync(worker.configPath))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Path of `wrangler/bin/wrangler.js` as the workers resolve it (run with `process.execPath`). */
export function resolveWranglerBin(options = {}) {
  const root = options.root ?? REPO_ROOT;
  const require = createRequire(join(root, "workers", "mcp-rs", "package.json"));
  return require.resolve("wrangler/bin/wrangler.js");
}

/** The wrangler module (for reading configuration files), resolved like the binary. */
export async function importWrangler(options = {}) {
  const root = options.root ?? REPO_ROOT;
  const require = createRequire(join(root, "workers", "mcp-rs", "package.json"));
  return import(require.resolve("wrangler"));
}
