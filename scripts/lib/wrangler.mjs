// The repository's root and the wrangler it pins, as the workers resolve it.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Path of `workers/<name>/wrangler.toml`. */
export function workerConfigPath(name) {
  return join(REPO_ROOT, "workers", name, "wrangler.toml");
}

/** `require` as the workers resolve packages (wrangler is one of their dev dependencies). */
function workersRequire(root) {
  return createRequire(join(root ?? REPO_ROOT, "workers", "mcp-rs", "package.json"));
}

/** Path of `wrangler/bin/wrangler.js` as the workers resolve it (run with `process.execPath`). */
export function resolveWranglerBin(options = {}) {
  return workersRequire(options.root).resolve("wrangler/bin/wrangler.js");
}

/** The wrangler module (for reading configuration files), resolved like the binary. */
export async function importWrangler(options = {}) {
  return import(workersRequire(options.root).resolve("wrangler"));
}

/** The version of that wrangler. */
export function readWranglerVersion(options = {}) {
  return workersRequire(options.root)("wrangler/package.json").version;
}
