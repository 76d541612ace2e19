import { fileURLToPath } from "node:url";
import { unstable_readConfig } from "wrangler";
import {
  findFreePort,
  standInVars,
  startLocalWorker,
  startStandInAtItsOrigin,
} from "../../cognito-local/test-wire/stand-in";

const CONFIG = fileURLToPath(new URL("../wrangler.toml", import.meta.url));

/** mcp-rs's local values, from its wrangler.toml. */
export const mcpRsVars = unstable_readConfig({ config: CONFIG }).vars as Record<string, string>;

export { standInVars };

/**
 * Starts cognito-local (at its own origins: the issuer on one host, the managed login on another)
 * and mcp-rs (its `COGNITO_ISSUER` matching), on free loopback ports; `dispose()` stops both.
 */
export async function startServers() {
  const cognito = await startStandInAtItsOrigin();
  const issuer = cognito.issuer;
  let mcpRs: Awaited<ReturnType<typeof startLocalWorker>>;
  let loginOrigin: string;
  // Cognito binds tokens (RFC 8707) only to https or http://localhost resources, so clients call
  // mcp-rs as http://localhost:<port>; it listens on 127.0.0.1 only.
  const mcpPort = await findFreePort();
  try {
    // The managed login is another host than the issuer's: where it is comes from discovery.
    const discovery = await fetch(`${issuer}/.well-known/openid-configuration`);
    const { authorization_endpoint } = (await discovery.json()) as Record<string, string>;
    loginOrigin = new URL(authorization_endpoint ?? "").origin;
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
    issuer,
    /** Cognito's managed-login domain (from discovery), where a person signs in. */
    loginOrigin,
    mcpRs,
    /** What clients call: `http://localhost:<port>`. */
    mcpOrigin: `http://localhost:${mcpPort}`,
    mcpUrl: `http://localhost:${mcpPort}/mcp`,
    async dispose() {
      await Promise.allSettled([mcpRs.dispose(), cognito.dispose()]);
    },
  };
}
