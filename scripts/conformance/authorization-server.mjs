// The conformance suite's authorization-server scenarios against the facade (workers/dcr) in
// front of the Cognito stand-in, both on loopback: the suite reads the facade's metadata, then
// prints an authorization URL for a browser; the sign-in is walked here as a person would (consent,
// managed login) and its final redirect, the suite's callback, is requested so the suite gets the
// code and redeems it.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { authorizeThroughFrontDoor } from "../../workers/dcr/test-wire/front-door-sign-in.mjs";
import { findAuthorizationUrl, isCallbackServerListening } from "./suite-output.mjs";

/** The authorization-server scenarios of the pinned suite; both run in one invocation. */
export const AUTHORIZATION_SCENARIOS = [
  "authorization-server-metadata-endpoint",
  "authorization-code-grant",
];
/** Longest wait for the whole suite, sign-in included (it would wait 5 minutes for a browser). */
export const AUTHORIZATION_SUITE_TIMEOUT_MS = 240_000;
/** Longest wait for the suite's callback server to answer the redirect. */
const CALLBACK_TIMEOUT_MS = 15_000;

const workerConfig = (name) =>
  fileURLToPath(new URL(`../../workers/${name}/wrangler.toml`, import.meta.url));
const require = createRequire(fileURLToPath(new URL("../../workers/dcr/", import.meta.url)));

/** A TCP port free on 127.0.0.1 right now. */
export function findFreePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** Starts a worker of this repository with wrangler on 127.0.0.1:`port`; returns its stop. */
export async function startWorker(wrangler, name, port, vars) {
  const worker = await wrangler.unstable_startWorker({
    config: workerConfig(name),
    bindings: Object.fromEntries(
      Object.entries(vars).map(([key, value]) => [key, { type: "plain_text", value }]),
    ),
    dev: {
      server: { hostname: "127.0.0.1", port },
      inspector: false,
      persist: false,
      watch: false,
      // Errors only: wrangler warns on every request that it cannot fetch `Request.cf` offline.
      logLevel: "error",
    },
  });
  try {
    await worker.url;
  } catch (error) {
    await worker.dispose();
    throw error;
  }
  return () => worker.dispose();
}

/** Registers a client at the facade (RFC 7591) and returns the raw response. */
function registrationRequest(issuer, metadata) {
  return fetch(`${issuer}/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(metadata),
  });
}

/** The `client_id` of a successful registration, or an error naming the facade's answer. */
async function processRegistrationResponse(response) {
  const body = await response.json().catch(() => ({}));
  if (response.status !== 201 || typeof body.client_id !== "string")
    throw new Error(
      `the facade refused the registration: ${response.status} ${body.error ?? ""} ${body.error_description ?? ""}`.trim(),
    );
  return body.client_id;
}

/**
 * Runs the suite with `args`, echoing what it prints; `onOutput(all)` sees the output so far
 * after each chunk. Resolves when it exits; after `timeoutMs` its process group is stopped.
 */
function runSuite(suitePackage, args, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      "npx",
      ["-y", "-p", "node@22", "-p", suitePackage, "conformance", "authorization", ...args],
      // Its own process group, so that npx and the Node it starts stop together.
      { stdio: ["ignore", "pipe", "inherit"], detached: true },
    );
    const stop = () => {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // Already gone.
      }
    };
    const timer = setTimeout(() => {
      console.error(`authorization: the suite did not finish within ${options.timeoutMs / 1000} s`);
      stop();
    }, options.timeoutMs);
    let output = "";
    child.stdout.on("data", (chunk) => {
      process.stdout.write(chunk);
      output += chunk.toString();
      options.onOutput(output, stop);
    });
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/**
 * Walks the suite's authorization URL through the front door as the demo user, and requests
 * the final redirect (the suite's callback) so that the suite receives the code.
 */
async function completeSignIn(authorizationUrl, options) {
  if (!authorizationUrl.startsWith(`${options.issuer}/authorize?`))
    throw new Error(`the suite asked to open ${authorizationUrl}, not the facade's /authorize`);
  const { location } = await authorizeThroughFrontDoor(authorizationUrl, options.user);
  const callback = new URL(options.redirectUri);
  if (location.origin !== callback.origin || location.pathname !== callback.pathname)
    throw new Error(`the sign-in ended at ${location.origin}${location.pathname}, not ${callback}`);
  const response = await fetch(location, { signal: AbortSignal.timeout(CALLBACK_TIMEOUT_MS) });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`the suite's callback answered ${response.status}`);
}

/**
 * Starts cognito-local and dcr on loopback, registers a public client for the suite's callback,
 * and runs the suite's authorization-server scenarios with results in `outputDir`; stops both
 * workers at the end. Throws when the set-up fails; the verdict is in the results.
 * @param {{suitePackage: string, outputDir: string}} options
 */
export async function runAuthorizationSuite(options) {
  const wrangler = await import(require.resolve("wrangler"));
  const standInVars = wrangler.unstable_readConfig({ config: workerConfig("cognito-local") }).vars;
  const mcpDev = wrangler.unstable_readConfig({ config: workerConfig("mcp-rs") }).dev;
  const stops = [];
  try {
    const standInPort = await findFreePort();
    const standInOrigin = `http://127.0.0.1:${standInPort}`;
    // Cognito's two hosts: the IdP API and issuer here, the managed login on another host.
    stops.push(
      await startWorker(wrangler, "cognito-local", standInPort, {
        PUBLIC_ORIGIN: standInOrigin,
        LOGIN_ORIGIN: `http://localhost:${standInPort}`,
      }),
    );
    const dcrPort = await findFreePort();
    const issuer = `http://127.0.0.1:${dcrPort}`;
    stops.push(
      await startWorker(wrangler, "dcr", dcrPort, {
        ISSUER: issuer,
        COGNITO_ISSUER: `${standInOrigin}/${standInVars.USER_POOL_ID}`,
        COGNITO_IDP_ENDPOINT: `${standInOrigin}/`,
      }),
    );
    const callbackPort = await findFreePort();
    const redirectUri = `http://127.0.0.1:${callbackPort}/callback`;
    // Public: the facade advertises "none" among its token endpoint auth methods, and the suite
    // then redeems the code with "none" even when given a secret.
    const clientId = await processRegistrationResponse(
      await registrationRequest(issuer, {
        client_name: "MCP conformance suite",
        redirect_uris: [redirectUri],
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        token_endpoint_auth_method: "none",
      }),
    );
    // The resource the token is for: mcp-rs's URL under `npm run dev` (the stand-in binds tokens
    // only to https or localhost resources; nothing needs to listen there).
    const resource = `http://localhost:${mcpDev.port}/mcp`;
    const user = { username: standInVars.DEMO_USERNAME, password: standInVars.DEMO_PASSWORD };
    let signIn;
    await runSuite(
      options.suitePackage,
      [
        ...["--url", issuer, "--client-id", clientId, "--resource", resource],
        ...["-p", String(callbackPort), "-o", options.outputDir],
      ],
      {
        timeoutMs: AUTHORIZATION_SUITE_TIMEOUT_MS,
        onOutput: (output, stopSuite) => {
          const url = findAuthorizationUrl(output);
          if (signIn || !url || !isCallbackServerListening(output, callbackPort)) return;
          signIn = completeSignIn(url, { issuer, redirectUri, user }).catch((error) => {
            // Without the callback the suite would wait minutes for a browser.
            console.error(`authorization: the sign-in failed: ${error.message}`);
            stopSuite();
          });
        },
      },
    );
    // The walk ends before the suite can (it waits for the callback); bounded all the same.
    await Promise.race([
      signIn,
      new Promise((resolve) => setTimeout(resolve, CALLBACK_TIMEOUT_MS).unref()),
    ]);
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {});
  }
}
