// The origins a form on the start page may lead to. Chromium checks the CSP `form-action` on the
// form's own target and on every redirect of the navigation it starts, so a sign-in begun from a
// form must list each origin it passes through before it lands back here.

import { logEvent } from "@mcp-cognito-workers/http";
import type { AppDeps } from "../app-env";
import type { ClientConfig } from "../config";
import { discoverAuthorizationServer, discoverProtectedResource } from "../oauth";
import { discoverStatic } from "./servers";

/** How long the origins of {@link cacheFormActionOrigins} are kept (per isolate). */
export const FORM_ACTION_ORIGINS_TTL_SECONDS = 300;

/** What {@link cacheFormActionOrigins} resolves: the origins found, and whether all were. */
export interface FormActionOrigins {
  origins: string[];
  complete: boolean;
}

/**
 * A per-isolate memo of the origins a form may lead to, kept {@link FORM_ACTION_ORIGINS_TTL_SECONDS}
 * per `key`; an incomplete answer (an authorization server that could not be reached) is used
 * once and asked for again next time.
 */
export function cacheFormActionOrigins(now: () => number) {
  let cached: { key: string; origins: string[]; until: number } | undefined;
  return async (key: string, resolve: () => Promise<FormActionOrigins>): Promise<string[]> => {
    if (cached && cached.key === key && cached.until > now()) return cached.origins;
    const { origins, complete } = await resolve();
    cached = complete
      ? { key, origins, until: now() + FORM_ACTION_ORIGINS_TTL_SECONDS * 1000 }
      : undefined;
    return origins;
  };
}

/**
 * The authorization endpoints' origins of both flows. A sign-in or step-up begun on the start page
 * goes, in one navigation, to the discovery flow's authorization endpoint (the facade), on to
 * Cognito's managed login (the static flow's authorization endpoint, where the facade sends the
 * person once they approve), and back. Both are read from metadata, never derived from an
 * issuer's host: in production the client, the facade and the managed-login domain are three
 * origins, and the managed login is not the issuer's host.
 */
export async function findFormActionOrigins(
  config: ClientConfig,
  deps: Pick<AppDeps, "net">,
): Promise<FormActionOrigins> {
  const { net } = deps;
  const found = await Promise.allSettled([
    discoverStatic(config, deps),
    discoverProtectedResource(config.mcpServerUrl, undefined, net).then((prm) =>
      discoverAuthorizationServer(prm.authorizationServers[0] as string, net),
    ),
  ]);
  const origins: string[] = [];
  for (const result of found) {
    if (result.status === "fulfilled" && result.value.authorization_endpoint)
      origins.push(new URL(result.value.authorization_endpoint).origin);
    else if (result.status === "rejected")
      logEvent("warn", "form_action_origin_unknown", { message: String(result.reason) });
  }
  return { origins, complete: found.every((result) => result.status === "fulfilled") };
}

/** {@link findFormActionOrigins}, kept per isolate for the configuration in use. */
export function createFormActionOrigins(deps: Pick<AppDeps, "net" | "now">) {
  const cache = cacheFormActionOrigins(deps.now);
  return (config: ClientConfig): Promise<string[]> =>
    cache(`${config.cognitoIssuer} ${config.mcpServerUrl.href}`, () =>
      findFormActionOrigins(config, deps),
    );
}
