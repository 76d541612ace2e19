// GET /authorize: checks the client's request, then asks the person's consent (or finds it
// remembered) and binds the transaction to this browser. @see RFC 6749 §4.1.1, RFC 7636
import { randomToken } from "@mcp-cognito-workers/http";
import { getCookie } from "hono/cookie";
import { audit } from "../registration/abuse";
import { sha256Hex } from "../registration/secrets";
import { readClientId, validateAuthorizeRequest } from "./authorize-request";
import { type ResolvedClient, resolveClient, UnknownClientError } from "./clients";
import { isRemembered } from "./consent";
import { buildBindingCookie, consentCookieName, TRANSACTION_TTL_SECONDS } from "./cookies";
import {
  type AppContext,
  type FrontDoorDependencies,
  resolutionOf,
  sealOptionsOf,
} from "./dependencies";
import { pageHeaders, renderConsentPage } from "./pages";
import { proceed } from "./proceed";
import { errorPage, errorRedirect } from "./responses";
import { sealValue } from "./seal";
import type { Transaction } from "./transaction";

/** The CSP sources the consent form may lead to: Cognito's login and the client's redirect. */
function formActionSources(authorizationEndpoint: string, redirectUri: string): string[] {
  const target = new URL(redirectUri);
  const client =
    target.protocol === "http:" || target.protocol === "https:" ? target.origin : target.protocol;
  return [new URL(authorizationEndpoint).origin, client];
}

/** `GET /authorize`: the consent page, or on to Cognito when the person approved before. */
export function authorizeHandler(deps: FrontDoorDependencies) {
  return async (c: AppContext): Promise<Response> => {
    const { config, context } = deps.contextOf(c.env, c.req.raw);
    const query = new URL(c.req.url).searchParams;
    const clientId = readClientId(query);
    if (typeof clientId !== "string") return errorPage(clientId.message);
    let resolved: ResolvedClient;
    try {
      resolved = await resolveClient(clientId, resolutionOf(deps, config, context));
    } catch (error) {
      if (error instanceof UnknownClientError) return errorPage(error.message);
      throw error;
    }
    const decided = validateAuthorizeRequest(query, resolved.client, config.policy.defaultScopes);
    if ("kind" in decided) {
      if (decided.kind === "page") return errorPage(decided.message);
      return errorRedirect(context.issuer, decided, decided.error, decided.description);
    }
    const seal = sealOptionsOf(deps, config);
    const bindingValue = randomToken(32);
    const tx: Transaction = {
      ...decided,
      id: randomToken(12),
      binding: await sha256Hex(bindingValue),
    };
    const bindingCookie = buildBindingCookie(context.issuer, tx.id, bindingValue);
    const askAgain = tx.prompt?.split(" ").includes("consent") ?? false;
    const remembered =
      !askAgain &&
      config.frontDoor.consentTtlSeconds > 0 &&
      (await isRemembered(
        getCookie(c, consentCookieName(context.issuer)),
        tx.clientId,
        tx.scope,
        seal,
      ));
    if (remembered) {
      audit({ action: "consent", outcome: "remembered", clientId: tx.clientId, scope: tx.scope });
      return proceed(deps, c, config, context, resolved, tx, [bindingCookie]);
    }
    if (tx.prompt?.split(" ").includes("none"))
      return errorRedirect(
        context.issuer,
        tx,
        "consent_required",
        "the person has not approved this client",
      );
    const discovery = await deps.getDiscovery(config.cognito.issuer);
    const page = renderConsentPage({
      clientId: tx.clientId,
      kind: resolved.kind,
      ...(resolved.client.clientName !== undefined
        ? { clientName: resolved.client.clientName }
        : {}),
      redirectUri: tx.redirectUri,
      registeredRedirectUris: resolved.client.redirectUris,
      scope: tx.scope,
      transaction: await sealValue("transaction", tx, TRANSACTION_TTL_SECONDS, seal),
    });
    const headers = new Headers(
      pageHeaders(formActionSources(discovery.authorization_endpoint, tx.redirectUri)),
    );
    headers.append("Set-Cookie", bindingCookie);
    return new Response(String(await page), { status: 200, headers });
  };
}
