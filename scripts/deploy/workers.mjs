// Which workers are deployed.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../lib/wrangler.mjs";

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
