// The workers of this repository on loopback, as the wire tests, the bench and the conformance runs
// start them: one worker under wrangler, the Cognito stand-in as Cognito's two hosts, and dcr, the
// front door, in front of it. The caller passes the wrangler module it resolved.
import { fileURLToPath } from "node:url";
import { findFreePort } from "./ports.mjs";

/** Path of `workers/<name>/wrangler.toml`. */
function workerConfigPath(name) {
  return fileURLToPath(new URL(`../../../workers/${name}/wrangler.toml`, import.meta.url));
}

/**
 * The `[vars]` of `workers/<name>/wrangler.toml`, as `npm run dev` uses them.
 * @returns {Record<string, string>}
 */
export function readWorkerVars(wrangler, name) {
  return wrangler.unstable_readConfig({ config: workerConfigPath(name) }).vars;
}

/**
 * Starts `workers/<name>` with wrangler on 127.0.0.1:`port`, each of `vars` a plain-text binding
 * over its wrangler.toml; returns its stop.
 * @param {{port: number, vars?: Record<string, string>, persistTo?: string, testScheduled?: boolean, logLevel?: string}} options
 * @returns {Promise<() => Promise<void>>}
 */
export async function startLocalWorker(wrangler, name, options) {
  const worker = await wrangler.unstable_startWorker({
    config: workerConfigPath(name),
    bindings: Object.fromEntries(
      Object.entries(options.vars ?? {}).map(([key, value]) => [
        key,
        { type: "plain_text", value },
      ]),
    ),
    dev: {
      server: { hostname: "127.0.0.1", port: options.port },
      inspector: false,
      // A folder keeps state across starts; none keeps it in memory.
      persist: options.persistTo ?? false,
      watch: false,
      // Errors only by default: wrangler warns on every request that it cannot fetch
      // `Request.cf` offline.
      logLevel: options.logLevel ?? "error",
      // `/__scheduled` triggers the cron handler, as `wrangler dev --test-scheduled`.
      testScheduled: options.testScheduled ?? false,
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

/**
 * Starts cognito-local on loopback as Cognito's two hosts: the IdP API and issuer at
 * `publicOrigin` (by default its own address, `http://127.0.0.1:<port>`), the managed login at
 * `http://localhost:<port>`, each answering only its own paths. So its discovery document, issuer
 * and managed-login URLs point at where it really listens, and a login URL built from the issuer's
 * host gets 404, as from Cognito. Returns both origins, the pool's issuer, the stand-in's vars
 * (its static client, demo user, pool id) and its stop.
 * @param {{port?: number, publicOrigin?: string, vars?: Record<string, string>, persistTo?: string, logLevel?: string}} [options]
 */
export async function startCognitoLocal(wrangler, options = {}) {
  const port = options.port ?? (await findFreePort());
  const origin = options.publicOrigin ?? `http://127.0.0.1:${port}`;
  const loginOrigin = `http://localhost:${port}`;
  const vars = { ...readWorkerVars(wrangler, "cognito-local"), ...options.vars };
  const stop = await startLocalWorker(wrangler, "cognito-local", {
    port,
    vars: { ...options.vars, PUBLIC_ORIGIN: origin, LOGIN_ORIGIN: loginOrigin },
    persistTo: options.persistTo,
    logLevel: options.logLevel,
  });
  return { origin, loginOrigin, issuer: `${origin}/${vars.USER_POOL_ID}`, vars, stop };
}

/**
 * Starts the Cognito stand-in (as startCognitoLocal) and dcr, the front door, in front of it on a
 * free loopback port, each of `vars` over dcr's ones that point it there. Returns the stand-in, the
 * front door's origin, which is its issuer, and one stop for both.
 * @param {{vars?: Record<string, string>}} [options]
 */
export async function startFrontDoor(wrangler, options = {}) {
  const standIn = await startCognitoLocal(wrangler);
  try {
    const port = await findFreePort();
    const origin = `http://127.0.0.1:${port}`;
    const stopFrontDoor = await startLocalWorker(wrangler, "dcr", {
      port,
      vars: {
        ISSUER: origin,
        COGNITO_ISSUER: standIn.issuer,
        COGNITO_IDP_ENDPOINT: `${standIn.origin}/`,
        ...options.vars,
      },
    });
    const stop = async () => {
      try {
        await stopFrontDoor();
      } finally {
        await standIn.stop();
      }
    };
    return { standIn, origin, stop };
  } catch (error) {
    await standIn.stop();
    throw error;
  }
}
