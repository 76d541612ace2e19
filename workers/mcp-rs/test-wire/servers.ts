import { findFreePort } from "@mcp-cognito-workers/test-support/ports";
import {
  readWorkerVars,
  startCognitoLocal,
  startLocalWorker,
} from "@mcp-cognito-workers/test-support/stack";
import * as wrangler from "wrangler";

/** mcp-rs's local values, from its wrangler.toml. */
export const mcpRsVars = readWorkerVars(wrangler, "mcp-rs");

/**
 * Starts cognito-local (at its own origins: the issuer on one host, the managed login on another)
 * and mcp-rs (its `COGNITO_ISSUER` matching), on free loopback ports; `dispose()` stops both.
 */
export async function startServers() {
  const cognito = await startCognitoLocal(wrangler);
  const issuer = cognito.issuer;
  let stopMcpRs: () => Promise<void>;
  let loginOrigin: string;
  // Cognito binds tokens (RFC 8707) only to https or http://localhost resources, so clients call
  // mcp-rs as http://localhost:<port>; it listens on 127.0.0.1 only.
  const mcpPort = await findFreePort();
  try {
    // The managed login is another host than the issuer's: where it is comes from discovery.
    const discovery = await fetch(`${issuer}/.well-known/openid-configuration`);
    const { authorization_endpoint } = (await discovery.json()) as Record<string, string>;
    loginOrigin = new URL(authorization_endpoint ?? "").origin;
    stopMcpRs = await startLocalWorker(wrangler, "mcp-rs", {
      port: mcpPort,
      vars: { COGNITO_ISSUER: issuer },
    });
  } catch (error) {
    await cognito.stop();
    throw error;
  }
  return {
    cognito,
    issuer,
    /** Cognito's managed-login domain (from discovery), where a person signs in. */
    loginOrigin,
    /** What clients call: `http://localhost:<port>`. */
    mcpOrigin: `http://localhost:${mcpPort}`,
    mcpUrl: `http://localhost:${mcpPort}/mcp`,
    async dispose() {
      await Promise.allSettled([stopMcpRs(), cognito.stop()]);
    },
  };
}
