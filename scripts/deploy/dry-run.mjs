// `npm run deploy -- --dry-run`: build every deployable worker and hold it to its size budget.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { gzipSync } from "node:zlib";
import { budgetFor } from "./budgets.mjs";

/** Files of a wrangler `--outdir` that are uploaded (source maps and the README are not). */
function isUploaded(file) {
  return !file.endsWith(".map") && file !== "README.md";
}

/** Sizes in KiB of the uploaded files of a bundle folder: raw and gzip (each file gzipped). */
export function measureBundleDir(outdir) {
  let total = 0;
  let gzip = 0;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (isUploaded(relative(outdir, path))) {
        total += statSync(path).size;
        gzip += gzipSync(readFileSync(path)).length;
      }
    }
  };
  walk(outdir);
  return { totalKiB: total / 1024, gzipKiB: gzip / 1024 };
}

/**
 * Builds each worker with `wrangler deploy --dry-run --outdir <tmp>` and measures it.
 * @param {{name: string, dir: string}[]} workers
 * @param {{run: import("./runner.mjs").Runner, wranglerBin: string, budgets?: Record<string, number>}} options
 * @returns {Promise<{name: string, totalKiB: number, gzipKiB: number, budgetKiB: number, ok: boolean}[]>}
 */
export async function dryRunWorkers(workers, options) {
  const results = [];
  for (const worker of workers) {
    const outdir = mkdtempSync(join(tmpdir(), `deploy-dry-run-${worker.name}-`));
    try {
      await options.run(
        process.execPath,
        [options.wranglerBin, "deploy", "--dry-run", "--outdir", outdir],
        { cwd: worker.dir },
      );
      const size = measureBundleDir(outdir);
      const budgetKiB = budgetFor(worker.name, options.budgets);
      results.push({ name: worker.name, ...size, budgetKiB, ok: size.gzipKiB <= budgetKiB });
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }
  return results;
}

/** The table `--dry-run` prints: one row per worker with its sizes, budget and verdict. */
export function formatSizeTable(results) {
  const header = ["worker", "bundle KiB", "gzip KiB", "budget KiB (gzip)", "status"];
  const rows = results.map((r) => [
    r.name,
    r.totalKiB.toFixed(1),
    r.gzipKiB.toFixed(1),
    String(r.budgetKiB),
    r.ok ? "ok" : "OVER BUDGET",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
      .join("  ");
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}
