#!/usr/bin/env node
// `npm run bench`: mcp-rs under wrangler (workerd) on loopback, with cognito-local behind a
// counting proxy. In one run, in alternating rounds: the unauthenticated trivial route `/health`,
// authenticated `tools/call whoami` on the 2026-07-28 wire and on the 2025-11-25 wire, and the REST
// route `GET /v1/contexts`: requests/s, p50, p99, the throughput ratio to `/health`, and the CPU
// time workerd spends per request (read from /proc before and after each round). Then the JWKS
// fetches mcp-rs made and the gzip bundle size from `wrangler deploy --dry-run`. Prints whether
// each target holds and exits 1 when one is missed.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { signIn } from "../workers/mcp-rs/test-wire/sign-in.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const mcpRsDir = join(root, "workers", "mcp-rs");
const require = createRequire(join(mcpRsDir, "package.json"));
const wranglerBin = require.resolve("wrangler/bin/wrangler.js");
const { unstable_readConfig, unstable_startWorker } = await import(require.resolve("wrangler"));

/** Load time of each kind of request, split over the rounds. */
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 10_000);
const WARMUP_MS = 1_500;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
/** Targets from the issues: each MCP call reaches 0.8 of the trivial route's throughput; ≤ 150 KiB. */
const TARGET_RATIO = 0.8;
const TARGET_GZIP_KIB = 150;

/** `_SC_CLK_TCK`, the unit of utime and stime in /proc/<pid>/stat. */
const CLOCK_TICKS_PER_SECOND = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }));
/** The `_meta` envelope of a 2026-07-28 request. */
const ENVELOPE = {
  "io.modelcontextprotocol/protocolVersion": "2026-07-28",
  "io.modelcontextprotocol/clientInfo": { name: "bench", version: "1" },
  "io.modelcontextprotocol/clientCapabilities": {},
};

const cognitoConfig = join(root, "workers", "cognito-local", "wrangler.toml");
const cognitoVars = unstable_readConfig({ config: cognitoConfig }).vars;
const mcpVars = unstable_readConfig({ config: join(mcpRsDir, "wrangler.toml") }).vars;

const disposers = [];
try {
  // Cognito's issuer and JWKS are published through a proxy that counts what mcp-rs fetches; its
  // managed login is another host, the stand-in's own port as localhost.
  const cognitoPort = await freePort();
  const upstreamCalls = { discovery: 0, jwks: 0 };
  const proxy = await startCountingProxy(cognitoPort, upstreamCalls);
  disposers.push(() => new Promise((resolve) => proxy.server.close(resolve)));
  const cognito = await startWorker(cognitoConfig, cognitoPort, {
    PUBLIC_ORIGIN: proxy.origin,
    LOGIN_ORIGIN: `http://localhost:${cognitoPort}`,
  });
  disposers.push(() => cognito.dispose());
  const issuer = `${proxy.origin}/${cognitoVars.USER_POOL_ID}`;
  const mcpPort = await freePort();
  const mcpRs = await startWorker(join(mcpRsDir, "wrangler.toml"), mcpPort, {
    COGNITO_ISSUER: issuer,
  });
  disposers.push(() => mcpRs.dispose());
  // The managed login's origin, from discovery (not the issuer's host).
  const discovery = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
  const tokens = await signIn(new URL(discovery.authorization_endpoint).origin, {
    clientId: cognitoVars.STATIC_CLIENT_ID,
    clientSecret: cognitoVars.STATIC_CLIENT_SECRET,
    redirectUri: "http://localhost:3000/callback",
    username: cognitoVars.DEMO_USERNAME,
    password: cognitoVars.DEMO_PASSWORD,
    scope: `openid ${mcpVars.READ_SCOPE} ${mcpVars.WRITE_SCOPE}`,
  });
  upstreamCalls.discovery = 0;
  upstreamCalls.jwks = 0;

  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const bearer = { authorization: `Bearer ${tokens.access_token}` };
  const hasClientId = (status, text) => status === 200 && text.includes('"client_id"');
  const kinds = [
    { name: "GET /health (no auth)", method: "GET", path: "/health", check: (s) => s === 200 },
    jsonPost("POST /mcp whoami, 2026-07-28 wire", {
      headers: {
        ...bearer,
        "mcp-protocol-version": "2026-07-28",
        "mcp-method": "tools/call",
        "mcp-name": "whoami",
      },
      body: {
        jsonrpc: "2.0",
        id: 1,
        method: "tools/call",
        params: { name: "whoami", arguments: {}, _meta: ENVELOPE },
      },
      check: hasClientId,
    }),
    jsonPost("POST /mcp whoami, 2025-11-25 wire", {
      headers: { ...bearer, "mcp-protocol-version": "2025-11-25" },
      body: {
        jsonrpc: "2.0",
        id: 1,
        method: "tools/call",
        params: { name: "whoami", arguments: {} },
      },
      check: hasClientId,
    }),
    {
      name: "GET /v1/contexts (REST)",
      method: "GET",
      path: "/v1/contexts",
      headers: bearer,
      check: (status, text) => status === 200 && text.startsWith('{"contexts":'),
    },
  ];

  const options = { port: mcpPort, agent };
  for (const kind of kinds) await load(kind, options, WARMUP_MS);
  // The workerd processes (found once both workers have served): those that run the workers, and
  // wrangler's dev proxies in front of them, which listen on the ports given above.
  // cognito-local's are idle during the load, the keys being cached.
  const workerd = findWorkerdPids();
  const isProxy = (pid) => /--socket-addr=entry=127\.0\.0\.1:[1-9]/.test(readCommandLine(pid));
  const runtimes = workerd.filter((pid) => !isProxy(pid));
  if (runtimes.length === 0) throw new Error("no workerd runtime process found in /proc");
  // Alternating rounds, so that a change of background load hits every kind alike; the CPU time is
  // read before and after each round: the workers' own, and that of the whole path (this process,
  // which generates the load and runs wrangler, the dev proxies and the workers).
  const pathCpuMillis = () => cpuMillis(workerd) + nodeCpuMillis();
  const rounds = kinds.map(() => []);
  for (let round = 0; round < ROUNDS; round++)
    for (const [i, kind] of kinds.entries()) {
      const cpuBefore = cpuMillis(runtimes);
      const pathBefore = pathCpuMillis();
      const result = await load(kind, options, DURATION_MS / ROUNDS);
      rounds[i].push({
        ...result,
        cpuMs: cpuMillis(runtimes) - cpuBefore,
        pathCpuMs: pathCpuMillis() - pathBefore,
      });
    }
  agent.destroy();
  const [base, modern, legacy, rest] = rounds.map(summarize);

  // After the workers are gone: `wrangler deploy` clears the .wrangler/tmp the dev bundler uses.
  await disposeAll();
  const bundle = measureBundle();
  const targets = [
    ["2026-07-28 whoami/health throughput", modern.rps / base.rps >= TARGET_RATIO],
    ["2025-11-25 whoami/health throughput", legacy.rps / base.rps >= TARGET_RATIO],
    ["JWKS fetched once", upstreamCalls.jwks === 1],
    [`bundle gzip ≤ ${TARGET_GZIP_KIB} KiB`, Number(bundle.gzip) <= TARGET_GZIP_KIB],
    ["no failed request", [base, modern, legacy, rest].every((r) => r.errors === 0)],
  ];
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
  console.log(
    [
      "",
      `mcp-rs benchmark: workerd via wrangler ${require("wrangler/package.json").version}, Node ${process.version}, ${cpus().length} cores, load ${loadavg()[0].toFixed(2)}; ${CONCURRENCY} connections, ${DURATION_MS / 1000} s of each kind in ${ROUNDS} alternating rounds`,
      `${"".padEnd(36)} ${cell("req/s", 7)} ${cell("p50 ms", 7)} ${cell("p99 ms", 7)} ${cell("ratio", 6)} ${cell("CPU ms", 8)} ${cell("added", 8)} ${cell("path ms", 8)} ${cell("errors", 6)}`,
      ...kinds.map((kind, i) => row(kind, [base, modern, legacy, rest][i])),
      `ratio: req/s over /health (target ≥ ${TARGET_RATIO}). CPU ms: user+system CPU time per request of the workerd that runs`,
      "the workers (not wrangler's dev proxy); added: over /health; path ms: the same for everything a request passes",
      "through (this Node process with the load generator and wrangler, the dev proxy, the workers).",
      `JWKS fetches during the run       ${upstreamCalls.jwks} (discovery ${upstreamCalls.discovery}; target 1)`,
      `bundle (wrangler deploy --dry-run) ${bundle.total} KiB, gzip ${bundle.gzip} KiB (target ≤ ${TARGET_GZIP_KIB} KiB)`,
      ...targets.map(([name, held]) => `${held ? "met   " : "MISSED"} ${name}`),
      "",
    ].join("\n"),
  );
  if (!targets.every(([, held]) => held)) process.exitCode = 1;
} finally {
  await disposeAll();
}

/** Stops what was started, newest first. */
async function disposeAll() {
  while (disposers.length > 0)
    await disposers
      .pop()()
      .catch(() => {});
}

/** Requests/s, p50, p99 and CPU ms per request over several rounds of one kind of request. */
function summarize(results) {
  const latencies = results.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const seconds = results.reduce((sum, r) => sum + r.seconds, 0);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return {
    rps: latencies.length / seconds,
    p50: at(0.5),
    p99: at(0.99),
    errors: results.reduce((sum, r) => sum + r.errors, 0),
    cpuMs: results.reduce((sum, r) => sum + r.cpuMs, 0) / latencies.length,
    pathCpuMs: results.reduce((sum, r) => sum + r.pathCpuMs, 0) / latencies.length,
  };
}

/** A JSON POST to /mcp as an MCP client sends it. */
function jsonPost(name, { headers, body, check }) {
  const text = JSON.stringify(body);
  return {
    name,
    method: "POST",
    path: "/mcp",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "content-length": Buffer.byteLength(text),
      ...headers,
    },
    body: text,
    check,
  };
}

/** Every workerd process below this one (wrangler starts them as its children). */
function findWorkerdPids() {
  const parents = new Map();
  const names = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(entry);
    if (!stat) continue;
    parents.set(entry, stat.ppid);
    names.set(entry, stat.comm);
  }
  const isOurs = (pid) => {
    for (let at = pid; at && at !== "0"; at = parents.get(at))
      if (at === String(process.pid)) return true;
    return false;
  };
  return [...names].filter(([pid, comm]) => comm === "workerd" && isOurs(pid)).map(([pid]) => pid);
}

/** User + system CPU time of this Node process so far, in milliseconds. */
function nodeCpuMillis() {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** User + system CPU time of these processes (all their threads) so far, in milliseconds. */
function cpuMillis(pids) {
  let ticks = 0;
  for (const pid of pids) {
    const stat = readStat(pid);
    if (!stat) throw new Error(`workerd process ${pid} is gone`);
    ticks += stat.utime + stat.stime;
  }
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** A process's command line, its arguments joined by spaces. */
function readCommandLine(pid) {
  return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
}

/** The fields of /proc/<pid>/stat used here; undefined when the process is gone. */
function readStat(pid) {
  let text;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // The command name is in parentheses and may hold spaces; fields after it are space-separated.
  const close = text.lastIndexOf(")");
  const fields = text.slice(close + 2).split(" ");
  return {
    comm: text.slice(text.indexOf("(") + 1, close),
    ppid: fields[1],
    utime: Number(fields[11]),
    stime: Number(fields[12]),
  };
}

/** Sends requests on `CONCURRENCY` connections for `durationMs`; returns latencies and errors. */
async function load(spec, { port, agent }, durationMs) {
  const latencies = [];
  let errors = 0;
  const deadline = performance.now() + durationMs;
  const worker = async () => {
    while (performance.now() < deadline) {
      const started = performance.now();
      const { status, text } = await send(spec, port, agent);
      latencies.push(performance.now() - started);
      if (!spec.check(status, text)) errors++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { latencies, seconds: (performance.now() - started) / 1000, errors };
}

function send(spec, port, agent) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        method: spec.method,
        path: spec.path,
        headers: spec.headers,
        agent,
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => {
          text += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode, text }));
      },
    );
    req.on("error", reject);
    req.end(spec.body);
  });
}

/** A proxy in front of cognito-local that counts discovery and JWKS requests. */
function startCountingProxy(targetPort, counts) {
  return new Promise((resolve) => {
    const server = http.createServer((req, res) => {
      if (req.url?.endsWith("/.well-known/jwks.json")) counts.jwks++;
      if (req.url?.endsWith("/.well-known/openid-configuration")) counts.discovery++;
      const upstream = http.request(
        {
          host: "127.0.0.1",
          port: targetPort,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on("error", () => {
        res.writeHead(502);
        res.end();
      });
      req.pipe(upstream);
    });
    server.listen(0, "127.0.0.1", () => {
      resolve({ server, origin: `http://127.0.0.1:${server.address().port}` });
    });
  });
}

async function startWorker(config, port, vars) {
  const worker = await unstable_startWorker({
    config,
    bindings: Object.fromEntries(
      Object.entries(vars).map(([name, value]) => [name, { type: "plain_text", value }]),
    ),
    dev: {
      server: { hostname: "127.0.0.1", port },
      inspector: false,
      persist: false,
      watch: false,
      logLevel: "warn",
    },
  });
  await worker.ready;
  return worker;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Total and gzip size as `wrangler deploy --dry-run` reports them. */
function measureBundle() {
  const outdir = mkdtempSync(join(tmpdir(), "mcp-rs-bundle-"));
  try {
    const output = execFileSync(
      process.execPath,
      [wranglerBin, "deploy", "--dry-run", "--outdir", outdir],
      { cwd: mcpRsDir, encoding: "utf8", env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
    );
    const match = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(output);
    if (!match) throw new Error(`no size in wrangler's output:\n${output}`);
    return { total: match[1], gzip: match[2] };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
