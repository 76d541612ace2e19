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
  const dispose = async () => {
    await Promise.allSettled(stops.map((stop) => stop()));
  };
  try {
    const cognito = await startStandInAtItsOrigin();
    stops.push(cognito.dispose);
    const dcr = await startLocalWorker(workerConfig("dcr"), {
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
    return { cognito, dcr, mcpRs, mcpUrl, client, dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}
