import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(new URL("../..", import.meta.url)));

/** A worker as listDeployableWorkers gives it. */
export type Worker = { name: string; dir: string; configPath: string };

/** `workers/<name>` of this repository. */
export const workerAt = (name: string): Worker => ({
  name,
  dir: join(root, "workers", name),
  configPath: join(root, "workers", name, "wrangler.toml"),
});

/**
 * The committed configurations of the two workers that exist for sure; workers/client joins
 * through listDeployableWorkers, which dry-run.test.ts checks.
 */
export const TEST_WORKERS: [Worker, Worker] = [workerAt("dcr"), workerAt("mcp-rs")];
