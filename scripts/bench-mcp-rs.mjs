#!/usr/bin/env node
// `npm run bench`: mcp-rs under wrangler (workerd) on loopback, with cognito-local behind a
// counting proxy. In one run, in alternating rounds: the unauthenticated trivial route `/health`,
// authenticated `tools/call whoami` on the 2026-07-28 wire and on the 2025-11-25 wire, and the REST
// route `GET /v1/contexts`: requests/s, p50, p99, the throughput ratio to `/health`, and the CPU
// time workerd spends per request (read from /proc before and after each round). Then the JWKS
// fetches mcp-rs made and the gzip bundle size from `wrangler deploy --dry-run`. Prints whether
// each target holds and exits 1 when one is missed. The load generator, the CPU sampling and the
// report are in scripts/bench/.
import http from "node:http";
import { join } from "node:path";
import { startLoopbackProxy } from "@mcp-cognito-workers/test-support/loopback-proxy";
import { findFreePort } from "@mcp-cognito-workers/test-support/ports";
import { signInDemoUser } from "@mcp-cognito-workers/test-support/sign-in";
import { startCognitoLocal, startLocalWorker } from "@mcp-cognito-workers/test-support/stack";
import { measureWranglerBundle } from "./bench/bundle-size.mjs";
import { findWorkerdProcesses, readCpuMillis, readNodeCpuMillis } from "./bench/cpu.mjs";
import { runLoad, summarizeRounds } from "./bench/load.mjs";
import { formatReport, judgeTargets } from "./bench/report.mjs";
import { buildRequestKinds } from "./bench/requests.mjs";
import {
  importWrangler,
  REPO_ROOT,
  readWranglerVersion,
  resolveWranglerBin,
  workerConfigPath,
} from "./lib/wrangler.mjs";

/** Load time of each kind of request, split over the rounds. */
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 10_000);
const WARMUP_MS = 1_500;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
/** wrangler's log level for both workers under the bench: its warnings too. */
const LOG_LEVEL = "warn";

const wrangler = await importWrangler();
const mcpVars = wrangler.unstable_readConfig({ config: workerConfigPath("mcp-rs") }).vars;

const disposers = [];
try {
  // Cognito's issuer and JWKS are published through a proxy that counts what mcp-rs fetches; its
  // managed login is another host, the stand-in's own port as localhost.
  const cognitoPort = await findFreePort();
  const upstreamCalls = { discovery: 0, jwks: 0 };
  const proxy = await startLoopbackProxy({
    targetPort: cognitoPort,
    targetName: "cognito-local",
    onRequest: (req) => {
      if (req.url?.endsWith("/.well-known/jwks.json")) upstreamCalls.jwks++;
      if (req.url?.endsWith("/.well-known/openid-configuration")) upstreamCalls.discovery++;
    },
  });
  disposers.push(proxy.close);
  const cognito = await startCognitoLocal(wrangler, {
    port: cognitoPort,
    publicOrigin: proxy.origin,
    logLevel: LOG_LEVEL,
  });
  disposers.push(cognito.stop);
  const mcpPort = await findFreePort();
  disposers.push(
    await startLocalWorker(wrangler, "mcp-rs", {
      port: mcpPort,
      vars: { COGNITO_ISSUER: cognito.issuer },
      logLevel: LOG_LEVEL,
    }),
  );
  // The managed login's origin, from discovery (not the issuer's host).
  const discovery = await (
    await fetch(`${cognito.issuer}/.well-known/openid-configuration`)
  ).json();
  const tokens = await signInDemoUser(cognito, {
    loginOrigin: new URL(discovery.authorization_endpoint).origin,
    scope: `openid ${mcpVars.READ_SCOPE} ${mcpVars.WRITE_SCOPE}`,
  });
  upstreamCalls.discovery = 0;
  upstreamCalls.jwks = 0;

  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const kinds = buildRequestKinds(tokens.access_token);
  const options = { port: mcpPort, agent, concurrency: CONCURRENCY };
  for (const kind of kinds) await runLoad(kind, WARMUP_MS, options);
  // The workerd processes, found once both workers have served. cognito-local's are idle during
  // the load, the keys being cached.
  const workerd = findWorkerdProcesses();
  // Alternating rounds, so that a change of background load hits every kind alike; the CPU time is
  // read before and after each round: the workers' own, and that of the whole path (this process,
  // which generates the load and runs wrangler, the dev proxies and the workers).
  const pathCpuMillis = () => readCpuMillis(workerd.all) + readNodeCpuMillis();
  const rounds = kinds.map(() => []);
  for (let round = 0; round < ROUNDS; round++)
    for (const [i, kind] of kinds.entries()) {
      const cpuBefore = readCpuMillis(workerd.runtimes);
      const pathBefore = pathCpuMillis();
      const result = await runLoad(kind, DURATION_MS / ROUNDS, options);
      rounds[i].push({
        ...result,
        cpuMs: readCpuMillis(workerd.runtimes) - cpuBefore,
        pathCpuMs: pathCpuMillis() - pathBefore,
      });
    }
  agent.destroy();
  const summaries = rounds.map(summarizeRounds);

  // After the workers are gone: `wrangler deploy` clears the .wrangler/tmp the dev bundler uses.
  await disposeAll();
  const bundle = measureWranglerBundle(join(REPO_ROOT, "workers", "mcp-rs"), {
    wranglerBin: resolveWranglerBin(),
  });
  const targets = judgeTargets({ summaries, upstreamCalls, bundle });
  console.log(
    formatReport({
      kinds,
      summaries,
      upstreamCalls,
      bundle,
      targets,
      wranglerVersion: readWranglerVersion(),
      concurrency: CONCURRENCY,
      durationMs: DURATION_MS,
      rounds: ROUNDS,
    }),
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
