import { fileURLToPath } from "node:url";
import { unstable_readConfig } from "wrangler";
import {
  findFreePort,
  standInVars,
  startLocalWorker,
  startStandIn,
} from "../../cognito-local/test-wire/stand-in";

const CONFIG = fileURLToPath(new URL("../wrangler.toml", import.meta.url));

/** mcp-rs's local values, from its wrangler.toml. */
export const mcpRsVars = unstable_readConfig({ config: CONFIG }).vars as Record<string, string>;

export { standInVars };

/** Options of {@link startServers}. */
export interface StartServersOptions {
  /**
   * Origin Cognito's issuer and JWKS are published under (cognito-local's `PUBLIC_ORIGIN`); by
   * default cognito-local's own URL. A proxy in front of it (the benchmark counts JWKS fetches)
   * passes its URL and forwards to `cognitoPort`.
   */
  publicOrigin?: (cognitoPort: number) => Promise<string>;
}

/**
 * Starts cognito-local (its `PUBLIC_ORIGIN` equal to its actual loopback URL) and mcp-rs (its
 * `COGNITO_ISSUER` matching), on free loopback ports; `dispose()` stops both.
 */
export async function startServers(options: StartServersOptions = {}) {
  const cognitoPort = await findFreePort();
  const publicOrigin =
    (await options.publicOrigin?.(cognitoPort)) ?? `http://127.0.0.1:${cognitoPort}`;
  const cognito = await startStandIn({ port: cognitoPort, vars: { PUBLIC_ORIGIN: publicOrigin } });
  const issuer = `${publicOrigin}/${standInVars.USER_POOL_ID}`;
  let mcpRs: Awaited<ReturnType<typeof startLocalWorker>>;
  // Cognito binds tokens (RFC 8707) only to https or http://localhost resources, so clients call
  // mcp-rs as http://localhost:<port>; it listens on 127.0.0.1 only.
  const mcpPort = await findFreePort();
  try {
    mcpRs = await startLocalWorker(CONFIG, {
      port: mcpPort,
      vars: { COGNITO_ISSUER: issuer },
    });
  } catch (error) {
    await cognito.dispose();
    throw error;
  }
  return {
    cognito,
    cognitoOrigin: `http://127.0.0.1:${cognitoPort}`,
    issuer,
    mcpRs,
    /** What clients call: `http://localhost:<port>`. */
    mcpOrigin: `http://localhost:${mcpPort}`,
    mcpUrl: `http://localhost:${mcpPort}/mcp`,
    async dispose() {
      await Promise.allSettled([mcpRs.dispose(), cognito.dispose()]);
    },
  };
}
