// The bench's targets and the report it prints.
import { cpus, loadavg } from "node:os";

/** Targets from the issues: each MCP call reaches 0.8 of the trivial route's throughput; ≤ 150 KiB. */
const TARGET_RATIO = 0.8;
const TARGET_GZIP_KIB = 150;

/**
 * @typedef {object} Summary one kind of request over all its rounds (see summarizeRounds)
 * @property {number} rps
 * @property {number} p50
 * @property {number} p99
 * @property {number} errors
 * @property {number} cpuMs
 * @property {number} pathCpuMs
 */

/**
 * Whether each target holds, by name: both MCP wires' throughput against `/health`, one JWKS
 * fetch, the bundle size, no failed request.
 * @param {{summaries: Summary[], upstreamCalls: {jwks: number}, bundle: {gzip: string}}} run
 *   summaries of `/health`, whoami on the 2026-07-28 wire, on the 2025-11-25 wire, REST
 * @returns {[string, boolean][]}
 */
export function judgeTargets(run) {
  const [base, modern, legacy] = run.summaries;
  return [
    ["2026-07-28 whoami/health throughput", modern.rps / base.rps >= TARGET_RATIO],
    ["2025-11-25 whoami/health throughput", legacy.rps / base.rps >= TARGET_RATIO],
    ["JWKS fetched once", run.upstreamCalls.jwks === 1],
    [`bundle gzip ≤ ${TARGET_GZIP_KIB} KiB`, Number(run.bundle.gzip) <= TARGET_GZIP_KIB],
    ["no failed request", run.summaries.every((r) => r.errors === 0)],
  ];
}

/**
 * The report: the set-up, a row per kind of request (the first, `/health`, the base of the
 * ratios), the JWKS fetches, the bundle size and each target's verdict.
 * @param {{kinds: {name: string}[], summaries: Summary[], upstreamCalls: {jwks: number, discovery: number}, bundle: {total: string, gzip: string}, targets: [string, boolean][], wranglerVersion: string, concurrency: number, durationMs: number, rounds: number}} run
 */
export function formatReport(run) {
  const [base] = run.summaries;
  const cell = (value, width) => String(value).padStart(width);
  const signed = (ms) => `${ms < 0 ? "-" : "+"}${Math.abs(ms).toFixed(3)}`;
  const row = (kind, r) =>
    [
      kind.name.padEnd(36),
      cell(r.rps.toFixed(0), 7),
      cell(r.p50.toFixed(2), 7),
      cell(r.p99.toFixed(2), 7),
      cell(r === base ? "1" : (r.rps / base.rps).toFixed(2), 6),
      cell(r.cpuMs.toFixed(3), 8),
      cell(r === base ? "" : signed(r.cpuMs - base.cpuMs), 8),
      cell(r.pathCpuMs.toFixed(3), 8),
      cell(r.errors, 6),
    ].join(" ");
  return [
    "",
    `mcp-rs benchmark: workerd via wrangler ${run.wranglerVersion}, Node ${process.version}, ${cpus().length} cores, load ${loadavg()[0].toFixed(2)}; ${run.concurrency} connections, ${run.durationMs / 1000} s of each kind in ${run.rounds} alternating rounds`,
    `${"".padEnd(36)} ${cell("req/s", 7)} ${cell("p50 ms", 7)} ${cell("p99 ms", 7)} ${cell("ratio", 6)} ${cell("CPU ms", 8)} ${cell("added", 8)} ${cell("path ms", 8)} ${cell("errors", 6)}`,
    ...run.kinds.map((kind, i) => row(kind, run.summaries[i])),
    `ratio: req/s over /health (target ≥ ${TARGET_RATIO}). CPU ms: user+system CPU time per request of the workerd that runs`,
    "the workers (not wrangler's dev proxy); added: over /health; path ms: the same for everything a request passes",
    "through (this Node process with the load generator and wrangler, the dev proxy, the workers).",
    `JWKS fetches during the run       ${run.upstreamCalls.jwks} (discovery ${run.upstreamCalls.discovery}; target 1)`,
    `bundle (wrangler deploy --dry-run) ${run.bundle.total} KiB, gzip ${run.bundle.gzip} KiB (target ≤ ${TARGET_GZIP_KIB} KiB)`,
    ...run.targets.map(([name, held]) => `${held ? "met   " : "MISSED"} ${name}`),
    "",
  ].join("\n");
}
