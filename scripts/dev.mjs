#!/usr/bin/env node
// `npm run dev`: starts every worker under workers/ with `wrangler dev` on its fixed port
// (cognito-local first), keeps their local state together in .wrangler/state, prefixes each line
// of output with the worker's name, prints what the Cognito stand-in serves once it is up, and
// stops them all on Ctrl-C.
import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { signalProcessGroup } from "./lib/process-group.mjs";
import { REPO_ROOT, resolveWranglerBin } from "./lib/wrangler.mjs";

const wranglerBin = resolveWranglerBin();

/** Start order: the stand-in first, as every other worker talks to it. */
const ORDER = ["cognito-local", "dcr", "mcp-rs", "client"];
const COLORS = [36, 35, 33, 32, 34, 31];
const STOP_GRACE_MS = 5000;
const STATE_DIR = join(REPO_ROOT, ".wrangler", "state");
const READY_TIMEOUT_MS = 60_000;

const workers = readdirSync(join(REPO_ROOT, "workers"))
  .filter((name) => existsSync(join(REPO_ROOT, "workers", name, "wrangler.toml")))
  .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
const width = Math.max(...workers.map((name) => name.length));
const color = (i, text) =>
  process.stdout.isTTY ? `\x1b[${COLORS[i % COLORS.length]}m${text}\x1b[0m` : text;

let stopping = false;
const children = workers.map((name, i) => {
  const prefix = color(i, `[${name.padEnd(width)}]`);
  // One state folder for all, so that workers binding the same KV namespace share it, as deployed.
  const args = [wranglerBin, "dev", "--log-level", "info", "--persist-to", STATE_DIR];
  const child = spawn(process.execPath, args, {
    cwd: join(REPO_ROOT, "workers", name),
    env: {
      ...process.env,
      WRANGLER_SEND_METRICS: "false",
      FORCE_COLOR: process.stdout.isTTY ? "1" : "0",
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: process.platform !== "win32",
  });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on("line", (line) => {
      if (!isNoise(line)) console.log(`${prefix} ${line}`);
    });
  }
  child.on("exit", (code, signal) => {
    console.log(`${prefix} exited (${signal ?? `code ${code}`})`);
    if (!stopping) stop(1);
    else if (children.every((c) => c.exitCode !== null || c.signalCode !== null))
      process.exit(process.exitCode ?? 0);
  });
  return child;
});

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => stop(0));

announceStandIn().catch((error) => console.error(`[dev] ${error.message}`));

function rank(name) {
  const i = ORDER.indexOf(name);
  return i < 0 ? ORDER.length : i;
}

/** wrangler's warnings about its own telemetry and the `cf` object it cannot fetch offline. */
function isNoise(line) {
  return /Unable to fetch the `Request\.cf` object|getaddrinfo ENOTFOUND workers\.cloudflare\.com|at GetAddrInfoReqWrap/.test(
    line,
  );
}

/** Stops every worker: SIGINT to each process group, SIGKILL to what is left after a grace period. */
function stop(code) {
  if (stopping) return;
  stopping = true;
  process.exitCode = code;
  console.log("[dev] stopping all workers...");
  for (const child of children) signalGroup(child, "SIGINT");
  setTimeout(() => {
    for (const child of children) signalGroup(child, "SIGKILL");
    process.exit(code);
  }, STOP_GRACE_MS).unref();
}

/** Signals a worker's process group, unless its wrangler has exited. */
function signalGroup(child, signal) {
  if (child.exitCode === null && child.signalCode === null) signalProcessGroup(child, signal);
}

/**
 * Waits for cognito-local and prints what a developer needs from it (the same as its GET / on its
 * IdP host), Cognito's two hosts first.
 */
async function announceStandIn() {
  if (!workers.includes("cognito-local")) return;
  const url = "http://localhost:9229/";
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!stopping && Date.now() < deadline) {
    try {
      const res = await fetch(url, { headers: { accept: "application/json" } });
      if (res.ok) return printStandIn(await res.json());
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  if (!stopping)
    console.error(
      `[dev] cognito-local did not answer at ${url} within ${READY_TIMEOUT_MS / 1000} s`,
    );
}

function printStandIn(info) {
  const lines = [
    "cognito-local is ready (local development values only), as Cognito's two hosts:",
    `  IdP API, issuer  ${info.idpEndpoint}   (cognito-idp.<region>.amazonaws.com)`,
    `  managed login    ${info.managedLogin}   (<prefix>.auth.<region>.amazoncognito.com)`,
    `  pool id          ${info.userPoolId}   region ${info.region}`,
    `  issuer           ${info.issuer}`,
    `  discovery        ${info.discovery}`,
    `  static client    ${info.staticClient.clientId}`,
    `  client secret    ${info.staticClient.clientSecret}`,
    `  demo user        ${info.demoUser.username} / ${info.demoUser.password}`,
    `  IdP API keys     ${info.apiCredentials.accessKeyId} / ${info.apiCredentials.secretAccessKey}`,
    `  details          ${info.idpEndpoint}`,
  ];
  console.log(`\n${lines.map((line) => `[dev] ${line}`).join("\n")}\n`);
}
