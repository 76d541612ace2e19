#!/usr/bin/env node
// `node scripts/bench-mcp-endpoint.mjs`: the CPU time workerd spends on one MCP exchange of
// mcp-rs's endpoint alone (scripts/bench/mcp-endpoint-worker.ts under mcp-rs's configuration), for
// `tools/call whoami` on the 2026-07-28 wire and on the 2025-11-25 wire, with what the loop costs
// besides the endpoint subtracted. Complements `npm run bench`, which measures whole requests.
import { join } from "node:path";
import { findFreePort } from "@mcp-cognito-workers/test-support/ports";
import { findWorkerdProcesses, readCpuMillis } from "./bench/cpu.mjs";
import { importWrangler, REPO_ROOT, workerConfigPath } from "./lib/wrangler.mjs";

/** Exchanges per measured request, and measured requests per kind (alternating kinds). */
const EXCHANGES = Number(process.env.BENCH_EXCHANGES ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 8);
const KINDS = ["modern", "legacy"];

const wrangler = await importWrangler();
const port = await findFreePort();
// wrangler resolves `[alias]` from the working directory when the entry point is not the
// configuration's `main`: from mcp-rs's, as for mcp-rs itself (its zod, not the root's).
process.chdir(join(REPO_ROOT, "workers", "mcp-rs"));
const worker = await wrangler.unstable_startWorker({
  config: workerConfigPath("mcp-rs"),
  entrypoint: join(REPO_ROOT, "scripts", "bench", "mcp-endpoint-worker.ts"),
  dev: {
    server: { hostname: "127.0.0.1", port },
    inspector: false,
    persist: false,
    watch: false,
    logLevel: "error",
  },
});
try {
  await worker.url;
  const run = async (query) => {
    const res = await fetch(`http://127.0.0.1:${port}/?${query}`);
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${query}: ${res.status} ${text.slice(0, 300)}`);
  };
  for (const kind of KINDS)
    for (const empty of ["", "&empty"]) await run(`kind=${kind}&n=200${empty}`);
  const { runtimes } = findWorkerdProcesses();
  /** Microseconds of workerd CPU per exchange, one figure per round. */
  const perExchange = async (query) => {
    const before = readCpuMillis(runtimes);
    await run(query);
    return ((readCpuMillis(runtimes) - before) * 1000) / EXCHANGES;
  };
  const samples = Object.fromEntries(KINDS.map((kind) => [kind, { full: [], empty: [] }]));
  for (let round = 0; round < ROUNDS; round++)
    for (const kind of KINDS) {
      samples[kind].full.push(await perExchange(`kind=${kind}&n=${EXCHANGES}`));
      samples[kind].empty.push(await perExchange(`kind=${kind}&n=${EXCHANGES}&empty`));
    }
  const median = (values) => values.toSorted((a, b) => a - b)[values.length >> 1];
  console.log(
    `mcp-rs MCP endpoint in workerd: ${EXCHANGES} exchanges a request, ${ROUNDS} rounds (median)`,
  );
  for (const kind of KINDS) {
    const full = median(samples[kind].full);
    const empty = median(samples[kind].empty);
    const wire = kind === "modern" ? "2026-07-28" : "2025-11-25";
    console.log(
      `tools/call whoami, ${wire} wire: ${(full - empty).toFixed(0)} µs CPU an exchange (loop ${empty.toFixed(0)} µs besides)`,
    );
  }
} finally {
  await worker.dispose();
}
