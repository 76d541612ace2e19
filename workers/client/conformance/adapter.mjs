#!/usr/bin/env node
// Bundles adapter.ts (TypeScript, imports src/) with esbuild, then runs it. The conformance run
// (scripts/conformance.mjs) bundles once and runs the bundle instead.
import { mkdirSync, rmSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { BUNDLE_DIR, bundleAdapter } from "./bundle.mjs";

mkdirSync(BUNDLE_DIR, { recursive: true });
// One file per process: the suite runs scenarios in parallel.
const outfile = await bundleAdapter(`${BUNDLE_DIR}/adapter-${process.pid}.mjs`);
try {
  await import(pathToFileURL(outfile).href);
} finally {
  rmSync(outfile, { force: true });
}
