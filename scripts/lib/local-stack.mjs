// The workers of this repository on loopback, as the bench and the conformance runs start them:
// free ports, one worker under wrangler, the Cognito stand-in as Cognito's two hosts, dcr in front
// of it, and the demo user signed in at its managed login.
import { createServer } from "node:net";
import { signIn } from "../../workers/mcp-rs/test-wire/sign-in.mjs";
import { workerConfigPath } from "./wrangler.mjs";

/** The redirect URI registered for the stand-in's static client. */
const STATIC_CLIENT_REDIRECT_URI = "http://localhost:3000/callback";

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

/**
 * Starts `workers/<name>` with wrangler on 127.0.0.1:`port`, each of `vars` a plain-text binding
 * over its wrangler.toml; returns its stop.
 * @param {{port: number, vars: Record<string, string>, logLevel?: string}} options
 * @returns {Promise<() => Promise<void>>}
 */
export async function startLocalWorker(wrangler, name, options) {
  const worker = await wrangler.unstable_startWorker({
    config: workerConfigPath(name),
    bindings: Object.fromEntries(
      Object.entries(options.vars).map(([key, value]) => [key, { type: "plain_text", value }]),
    ),
    dev: {
      server: { hostname: "127.0.0.1", port: options.port },
      inspector: false,
      persist: false,
      watch: false,
      // Errors only by default: wrangler warns on every request that it cannot fetch
      // `Request.cf` offline.
      logLevel: options.logLevel ?? "error",
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
 * `http://localhost:<port>`. Returns both origins, the pool's issuer, the stand-in's vars (its
 * static client, demo user, pool id) and its stop.
 * @param {{port?: number, publicOrigin?: string, logLevel?: string}} [options]
 */
export async function startCognitoLocal(wrangler, options = {}) {
  const vars = wrangler.unstable_readConfig({ config: workerConfigPath("cognito-local") }).vars;
  const port = options.port ?? (await findFreePort());
  const origin = options.publicOrigin ?? `http://127.0.0.1:${port}`;
  const loginOrigin = `http://localhost:${port}`;
  const stop = await startLocalWorker(wrangler, "cognito-local", {
    port,
    vars: { PUBLIC_ORIGIN: origin, LOGIN_ORIGIN: loginOrigin },
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

/**
 * Signs the stand-in's demo user in with its static client at the managed login (by default the
 * stand-in's own), for `scope` and, when given, the RFC 8707 `resource`; returns the tokens.
 * @param {{vars: Record<string, string>, loginOrigin: string}} standIn
 * @param {{scope: string, resource?: string, loginOrigin?: string}} options
 */
export function signInDemoUser(standIn, options) {
  return signIn(options.loginOrigin ?? standIn.loginOrigin, {
    clientId: standIn.vars.STATIC_CLIENT_ID,
    clientSecret: standIn.vars.STATIC_CLIENT_SECRET,
    redirectUri: STATIC_CLIENT_REDIRECT_URI,
    username: standIn.vars.DEMO_USERNAME,
    password: standIn.vars.DEMO_PASSWORD,
    scope: options.scope,
    resource: options.resource,
  });
}
