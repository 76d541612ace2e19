import { OAuthError } from "@mcp-cognito-workers/http";
import { getCookie } from "hono/cookie";
import { audit } from "../registration/abuse";
import { type ResolvedClient, resolveClient, UnknownClientError } from "./clients";
import { rememberApproval } from "./consent";
import {
  buildBindingCookie,
  buildSetCookie,
  consentCookieName,
  transactionCookieName,
} from "./cookies";
import {
  type AppContext,
  type FrontDoorDependencies,
  resolutionOf,
  sealOptionsOf,
} from "./dependencies";
import { MAX_FORM_BYTES, readForm } from "./http";
import { proceed } from "./proceed";
import { matchRedirectUri } from "./redirect-match";
import { clearBinding, errorPage, errorRedirect } from "./responses";
import { openValue } from "./seal";
import { isBoundToThisBrowser, type Transaction } from "./transaction";

/**
 * `POST /authorize/decision`: the person's approval or denial, from the browser the transaction is
 * bound to.
 */
export function decisionHandler(deps: FrontDoorDependencies) {
  return async (c: AppContext): Promise<Response> => {
    const { config, context } = deps.contextOf(c.env, c.req.raw);
    const origin = c.req.header("origin");
    if (origin !== undefined && origin !== new URL(context.issuer).origin)
      return errorPage("This approval was sent from another site.", 403);
    let form: Map<string, string>;
    try {
      form = await readForm(c.req.raw, MAX_FORM_BYTES);
    } catch (error) {
      if (error instanceof OAuthError)
        return errorPage(`The approval could not be read: ${error.description ?? error.code}.`);
      throw error;
    }
    const seal = sealOptionsOf(deps, config);
    const tx = await openValue<Transaction>("transaction", form.get("transaction"), seal);
    if (!tx) return errorPage("This approval has expired or was not issued by this server.");
    const cookieName = transactionCookieName(context.issuer, tx.id);
    if (!(await isBoundToThisBrowser(getCookie(c, cookieName), tx)))
      return errorPage("This approval was not started in this browser.", 403);
    let resolved: ResolvedClient;
    try {
      resolved = await resolveClient(tx.clientId, resolutionOf(deps, config, context));
    } catch (error) {
      if (error instanceof UnknownClientError) return errorPage(error.message);
      throw error;
    }
    if (matchRedirectUri(resolved.client.redirectUris, tx.redirectUri) !== tx.redirectUri)
      return errorPage("The redirect_uri is no longer registered for this client.");
    const decision = form.get("decision");
    if (decision === "deny") {
      audit({ action: "consent", outcome: "denied", clientId: tx.clientId, scope: tx.scope });
      return errorRedirect(context.issuer, tx, "access_denied", "the person denied the request", [
        clearBinding(context.issuer, tx.id),
      ]);
    }
    if (decision !== "approve") return errorPage("The decision must be approve or deny.");
    audit({ action: "consent", outcome: "approved", clientId: tx.clientId, scope: tx.scope });
    const cookies = [buildBindingCookie(context.issuer, tx.id, getCookie(c, cookieName) ?? "")];
    const ttl = config.frontDoor.consentTtlSeconds;
    if (ttl > 0) {
      const name = consentCookieName(context.issuer);
      const value = await rememberApproval(getCookie(c, name), tx.clientId, tx.scope, ttl, seal);
      cookies.push(buildSetCookie(context.issuer, name, value, ttl));
    }
    return proceed(deps, c, config, context, resolved, tx, cookies);
  };
}
