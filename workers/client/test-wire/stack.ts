import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { findFreePort } from "@mcp-cognito-workers/test-support/ports";
import {
  type StartLocalWorkerOptions,
  startCognitoLocal,
  startLocalWorker,
} from "@mcp-cognito-workers/test-support/stack";
import * as wrangler from "wrangler";

/** The wrangler.toml of a worker of this repository. */
export const workerConfig = (worker: string) =>
  fileURLToPath(new URL(`../../${worker}/wrangler.toml`, import.meta.url));

/** Options of {@link startStack}. */
export interface StartStackOptions {
  /** Also start workers/client, pointed at the others. */
  withClient?: boolean;
}

/** A worker of the stack: where it listens. */
interface StackWorker {
  origin: string;
}

/**
 * Starts cognito-local (at its own origin), dcr and mcp-rs, and optionally the client, on free
 * loopback ports, wired as `npm run dev` wires them; `dispose()` stops every one.
 */
export async function startStack(options: StartStackOptions = {}) {
  const stops: (() => Promise<void>)[] = [];
  // dcr and mcp-rs share their KV namespace, as deployed (and as `npm run dev` runs them): one
  // local state folder. mcp-rs reads dcr's grant records and tombstones there.
  const state = mkdtempSync(join(tmpdir(), "client-stack-"));
  const dispose = async () => {
    await Promise.allSettled(stops.map((stop) => stop()));
    rmSync(state, { recursive: true, force: true });
  };
  /** Starts `workers/<name>` on a free loopback port; its stop joins the others. */
  const start = async (
    name: string,
    worker: Omit<StartLocalWorkerOptions, "port">,
  ): Promise<StackWorker> => {
    const port = await findFreePort();
    stops.push(await startLocalWorker(wrangler, name, { ...worker, port }));
    return { origin: `http://127.0.0.1:${port}` };
  };
  try {
    const cognito = await startCognitoLocal(wrangler);
    stops.push(cognito.stop);
    const dcr = await start("dcr", {
      persistTo: state,
      vars: {
        // Empty: the issuer is the origin the request reached (127.0.0.1 and its port).
        ISSUER: "",
        COGNITO_ISSUER: cognito.issuer,
        COGNITO_IDP_ENDPOINT: `${cognito.origin}/`,
      },
    });
    // Cognito binds tokens (RFC 8707) only to https or http://localhost resources.
    const mcpPort = await findFreePort();
    stops.push(
      await startLocalWorker(wrangler, "mcp-rs", {
        port: mcpPort,
        persistTo: state,
        vars: { COGNITO_ISSUER: cognito.issuer, AUTHORIZATION_SERVER: dcr.origin },
      }),
    );
    const mcpUrl = `http://localhost:${mcpPort}/mcp`;
    const client = options.withClient
      ? await start("client", {
          vars: { COGNITO_ISSUER: cognito.issuer, MCP_SERVER_URL: mcpUrl },
        })
      : undefined;
    return { cognito, dcr, mcpUrl, client, state, dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}
