#!/usr/bin/env node
// `npm run bench`: mcp-rs under wrangler (workerd) on loopback, with cognito-local behind a
// counting proxy. In one run, side by side: authenticated `tools/call whoami` against the
// unauthenticated trivial route `/health`, in alternating rounds: requests/s, p50 and p99 and their ratio; the JWKS
// fetches mcp-rs made; and the gzip bundle size from `wrangler deploy --dry-run`.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { signIn } from "../workers/mcp-rs/test-wire/sign-in.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const mcpRsDir = join(root, "workers", "mcp-rs");
const require = createRequire(join(mcpRsDir, "package.json"));
const wranglerBin = require.resolve("wrangler/bin/wrangler.js");
const { unstable_readConfig, unstable_startWorker } = await import(require.resolve("wrangler"));

const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 10_000);
const WARMUP_MS = 1_500;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const ROUNDS = 10;
/** Targets from the issues: the MCP call reaches half the trivial route's throughput; ≤ 150 KiB. */
const TARGET_RATIO = 0.5;
const TARGET_GZIP_KIB = 150;

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
  const body = JSON.stringify({
    jsonrpc: "2.0",
    id: 1,
    method: "tools/call",
    params: { name: "whoami", arguments: {} },
  });
  const trivial = {
    method: "GET",
    path: "/health",
    headers: {},
    check: (status) => status === 200,
  };
  const whoami = {
    method: "POST",
    path: "/mcp",
    headers: {
      authorization: `Bearer ${tokens.access_token}`,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2025-11-25",
      "content-length": Buffer.byteLength(body),
    },
    body,
    check: (status, text) => status === 200 && text.includes('"client_id"'),
  };

  const options = { port: mcpPort, agent };
  await load(trivial, options, WARMUP_MS);
  await load(whoami, options, WARMUP_MS);
  // Alternating rounds, so that a change of background load hits both sides alike.
  const rounds = { trivial: [], whoami: [] };
  for (let round = 0; round < ROUNDS; round++) {
    rounds.trivial.push(await load(trivial, options, DURATION_MS / ROUNDS));
    rounds.whoami.push(await load(whoami, options, DURATION_MS / ROUNDS));
  }
  const base = summarize(rounds.trivial);
  const mcp = summarize(rounds.whoami);
  agent.destroy();

  const bundle = measureBundle();
  const ratio = mcp.rps / base.rps;
  const row = (name, r) =>
    `${name.padEnd(34)} ${r.rps.toFixed(0).padStart(8)} ${r.p50.toFixed(2).padStart(8)} ${r.p99.toFixed(2).padStart(8)} ${String(r.errors).padStart(7)}`;
  console.log(
    [
      "",
      `mcp-rs benchmark: workerd via wrangler ${require("wrangler/package.json").version}, Node ${process.version}, ${CONCURRENCY} connections, ${DURATION_MS / 1000} s each in ${ROUNDS} alternating rounds`,
      `${"".padEnd(34)} ${"req/s".padStart(8)} ${"p50 ms".padStart(8)} ${"p99 ms".padStart(8)} ${"errors".padStart(7)}`,
      row("GET /health (no auth)", base),
      row("POST /mcp tools/call whoami", mcp),
      `ratio whoami/health               throughput ${ratio.toFixed(2)} (target ≥ ${TARGET_RATIO})   p50 ${(mcp.p50 / base.p50).toFixed(2)}x   p99 ${(mcp.p99 / base.p99).toFixed(2)}x`,
      `JWKS fetches during the run       ${upstreamCalls.jwks} (discovery ${upstreamCalls.discovery}; target 1)`,
      `bundle (wrangler deploy --dry-run) ${bundle.total} KiB, gzip ${bundle.gzip} KiB (target ≤ ${TARGET_GZIP_KIB} KiB)`,
      "",
    ].join("\n"),
  );
  if (mcp.errors > 0 || base.errors > 0) process.exitCode = 1;
} finally {
  for (const dispose of disposers.reverse()) await dispose().catch(() => {});
}

/** Requests/s, p50 and p99 over several rounds of one kind of request. */
function summarize(results) {
  const latencies = results.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const seconds = results.reduce((sum, r) => sum + r.seconds, 0);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return {
    rps: latencies.length / seconds,
    p50: at(0.5),
    p99: at(0.99),
    errors: results.reduce((sum, r) => sum + r.errors, 0),
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
