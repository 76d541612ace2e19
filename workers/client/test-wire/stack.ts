import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  findFreePort,
  startLocalWorker,
  startStandInAtItsOrigin,
} from "../../cognito-local/test-wire/stand-in";

/** The wrangler.toml of a worker of this repository. */
export const workerConfig = (worker: string) =>
  fileURLToPath(new URL(`../../${worker}/wrangler.toml`, import.meta.url));

/** Options of {@link startStack}. */
export interface StartStackOptions {
  /** Also start workers/client, pointed at the others. */
  withClient?: boolean;
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
  try {
    const cognito = await startStandInAtItsOrigin();
    stops.push(cognito.dispose);
    const dcr = await startLocalWorker(workerConfig("dcr"), {
      persistTo: state,
      vars: {
        // Empty: the issuer is the origin the request reached (127.0.0.1 and its port).
        ISSUER: "",
        COGNITO_ISSUER: cognito.issuer,
        COGNITO_IDP_ENDPOINT: `${cognito.origin}/`,
      },
    });
    stops.push(dcr.dispose);
    // Cognito binds tokens (RFC 8707) only to https or http://localhost resources.
    const mcpPort = await findFreePort();
    const mcpRs = await startLocalWorker(workerConfig("mcp-rs"), {
      port: mcpPort,
      persistTo: state,
      vars: { COGNITO_ISSUER: cognito.issuer, AUTHORIZATION_SERVER: dcr.origin },
    });
    stops.push(mcpRs.dispose);
    const mcpUrl = `http://localhost:${mcpPort}/mcp`;
    const client = options.withClient
      ? await startLocalWorker(workerConfig("client"), {
          vars: { COGNITO_ISSUER: cognito.issuer, MCP_SERVER_URL: mcpUrl },
        })
      : undefined;
    if (client) stops.push(client.dispose);
    return { cognito, dcr, mcpRs, mcpUrl, client, state, dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}
