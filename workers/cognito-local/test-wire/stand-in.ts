import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { AwsClient } from "aws4fetch";
import { unstable_readConfig, unstable_startWorker } from "wrangler";

const CONFIG = fileURLToPath(new URL("../wrangler.toml", import.meta.url));

/** The stand-in's local values, read from its wrangler.toml as `npm run dev` uses them. */
export const standInVars = unstable_readConfig({ config: CONFIG }).vars as Record<string, string>;

/** Options of {@link startLocalWorker}. */
export interface StartLocalWorkerOptions {
  /** Folder to keep state in across starts; none (in memory) when absent. */
  persistTo?: string;
  /** Loopback port; a free one when absent. */
  port?: number;
  /** Variables that replace the wrangler.toml `[vars]` of the same name. */
  vars?: Record<string, string>;
  /** Serve `/__scheduled` to trigger the cron handler, as `wrangler dev --test-scheduled`. */
  testScheduled?: boolean;
}

/** Starts any worker of this repository with wrangler on 127.0.0.1; `dispose()` stops it. */
export async function startLocalWorker(config: string, options: StartLocalWorkerOptions = {}) {
  const worker = await unstable_startWorker({
    config,
    bindings: Object.fromEntries(
      Object.entries(options.vars ?? {}).map(([name, value]) => [
        name,
        { type: "plain_text" as const, value },
      ]),
    ),
    dev: {
      server: { hostname: "127.0.0.1", port: options.port ?? 0 },
      inspector: false,
      persist: options.persistTo ?? false,
      watch: false,
      logLevel: "warn",
      testScheduled: options.testScheduled ?? false,
    },
  });
  const url = await worker.url;
  return { url: url.toString(), origin: url.origin, dispose: () => worker.dispose() };
}

/** Options of {@link startStandInAtItsOrigin}. */
export type StartStandInOptions = Omit<StartLocalWorkerOptions, "testScheduled" | "port">;

/**
 * Starts cognito-local on a free loopback port that it also announces, as Cognito's two hosts:
 * the IdP API, issuer, discovery and JWKS at `origin` (`http://127.0.0.1:<port>`), the managed
 * login at `loginOrigin` (`http://localhost:<port>`), each answering only its own paths. So its
 * discovery document, issuer and managed-login URLs point at where it really listens, and a login
 * URL built from the issuer's host gets 404, as from Cognito. `dispose()` stops it.
 */
export async function startStandInAtItsOrigin(options: StartStandInOptions = {}) {
  const port = await findFreePort();
  const origin = `http://127.0.0.1:${port}`;
  const loginOrigin = `http://localhost:${port}`;
  const standIn = await startLocalWorker(CONFIG, {
    ...options,
    port,
    vars: { ...options.vars, PUBLIC_ORIGIN: origin, LOGIN_ORIGIN: loginOrigin },
  });
  if (standIn.origin !== origin) {
    await standIn.dispose();
    throw new Error(`cognito-local listens on ${standIn.origin}, not ${origin}`);
  }
  return { ...standIn, issuer: `${origin}/${standInVars.USER_POOL_ID}`, loginOrigin };
}

/** A TCP port free on 127.0.0.1 right now. */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Options of {@link callIdp}. */
export interface CallIdpOptions {
  /** Signs as of this many milliseconds from now (for a stand-in whose clock is moved). */
  offsetMs?: number;
}

/**
 * Calls the stand-in's IdP JSON API at `origin` as an operator would (SigV4 with its local keys,
 * its pool), to look behind the facade; returns the status and the JSON body.
 */
export async function callIdp(
  origin: string,
  operation: string,
  input: Record<string, unknown>,
  options: CallIdpOptions = {},
) {
  const aws = new AwsClient({
    accessKeyId: standInVars.LOCAL_ACCESS_KEY_ID as string,
    secretAccessKey: standInVars.LOCAL_SECRET_ACCESS_KEY as string,
    service: "cognito-idp",
    region: standInVars.AWS_REGION as string,
  });
  const datetime = new Date(Date.now() + (options.offsetMs ?? 0))
    .toISOString()
    .replace(/[:-]|\.\d{3}/g, "");
  const res = await aws.fetch(`${origin}/`, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": `AWSCognitoIdentityProviderService.${operation}`,
    },
    body: JSON.stringify({ UserPoolId: standInVars.USER_POOL_ID, ...input }),
    aws: { datetime },
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
