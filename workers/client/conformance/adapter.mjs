#!/usr/bin/env node
// Bundles adapter.ts (TypeScript, imports src/oauth/) with esbuild, then runs it.
import { mkdirSync, rmSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const outdir = here("../../../node_modules/.cache/client-conformance");
mkdirSync(outdir, { recursive: true });
// One file per process: the suite runs scenarios in parallel.
const outfile = `${outdir}/adapter-${process.pid}.mjs`;
await build({
  entryPoints: [here("./adapter.ts")],
  outfile,
  bundle: true,
  platform: "node",
  format: "esm",
  packages: "external",
  logLevel: "warning",
  absWorkingDir: here("."),
});
try {
  await import(pathToFileURL(outfile).href);
} finally {
  rmSync(outfile, { force: true });
}
