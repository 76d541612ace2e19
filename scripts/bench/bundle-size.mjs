// A worker's bundle size as `wrangler deploy --dry-run` reports it.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Total and gzip size in KiB (as printed) of the worker in `workerDir`, from wrangler's own
 * `Total Upload` line.
 * @param {{wranglerBin: string}} options
 * @returns {{total: string, gzip: string}}
 */
export function measureWranglerBundle(workerDir, options) {
  const outdir = mkdtempSync(join(tmpdir(), "mcp-rs-bundle-"));
  try {
    const output = execFileSync(
      process.execPath,
      [options.wranglerBin, "deploy", "--dry-run", "--outdir", outdir],
      { cwd: workerDir, encoding: "utf8", env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
    );
    const match = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(output);
    if (!match) throw new Error(`no size in wrangler's output:\n${output}`);
    return { total: match[1], gzip: match[2] };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
