import type { OAuthErrorCode } from "@mcp-cognito-workers/http";
import { getCookie } from "hono/cookie";
import { audit } from "../registration/abuse";
import { buildRedirect } from "./authorize-request";
import { transactionCookieName } from "./cookies";
import { type AppContext, type FrontDoorDependencies, sealOptionsOf } from "./dependencies";
import { clearBinding, errorPage, errorRedirect, redirect } from "./responses";
import { openValue, sealValue } from "./seal";
import { isBoundToThisBrowser, type RelayedCode, type Transaction } from "./transaction";

/** Lifetime of a relayed code (Cognito's own codes live 5 minutes). */
export const RELAYED_CODE_TTL_SECONDS = 300;

/** Error codes of Cognito's authorization errors that are relayed to the client as they are. */
const RELAYED_AUTHORIZE_ERRORS: ReadonlySet<string> = new Set([
  "invalid_request",
  "unauthorized_client",
  "access_denied",
  "invalid_scope",
  "server_error",
  "temporarily_unavailable",
  "login_required",
  "interaction_required",
]);

/** A printable error description, or none. @see RFC 6749 §4.1.2.1 */
function safeDescription(value: string | null | undefined): string | undefined {
  if (!value || value.length > 200 || !/^[\x20-\x21\x23-\x5b\x5d-\x7e]+$/.test(value))
    return undefined;
  return value;
}

/**
 * `GET /callback`: Cognito's answer relayed to the client, and only for the browser that started
 * the sign-in. @see RFC 9207
 */
export function callbackHandler(deps: FrontDoorDependencies) {
  return async (c: AppContext): Promise<Response> => {
    const { config, context } = deps.contextOf(c.env, c.req.raw);
    const query = new URL(c.req.url).searchParams;
    const seal = sealOptionsOf(deps, config);
    const tx = await openValue<Transaction>("transaction", query.get("state"), seal);
    if (!tx?.cognitoClientId)
      return errorPage("This sign-in response was not started by this server, or it has expired.");
    if (
      !(await isBoundToThisBrowser(getCookie(c, transactionCookieName(context.issuer, tx.id)), tx))
    ) {
      audit({
        action: "callback",
        outcome: "refused",
        clientId: tx.clientId,
        reason: "not this browser",
      });
      return errorPage(
        "This sign-in was not started in this browser. If you did not start it, you can close this page.",
        403,
      );
    }
    const cookies = [clearBinding(context.issuer, tx.id)];
    const error = query.get("error");
    if (error !== null) {
      const code = (RELAYED_AUTHORIZE_ERRORS.has(error) ? error : "server_error") as OAuthErrorCode;
      return errorRedirect(
        context.issuer,
        tx,
        code,
        safeDescription(query.get("error_description")),
        cookies,
      );
    }
    const cognitoCode = query.get("code");
    if (!cognitoCode || cognitoCode.length > 2048)
      return errorRedirect(
        context.issuer,
        tx,
        "server_error",
        "the authorization server sent no code",
        cookies,
      );
    const code = await sealValue<RelayedCode>(
      "code",
      {
        code: cognitoCode,
        clientId: tx.clientId,
        redirectUri: tx.redirectUri,
        redirectUriGiven: tx.redirectUriGiven,
        cognitoClientId: tx.cognitoClientId,
        ...(tx.appClientGroup !== undefined && tx.appClientSlot !== undefined
          ? { appClientGroup: tx.appClientGroup, appClientSlot: tx.appClientSlot }
          : {}),
      },
      RELAYED_CODE_TTL_SECONDS,
      seal,
    );
    return redirect(
      buildRedirect(tx.redirectUri, { code, state: tx.state, iss: context.issuer }),
      cookies,
    );
  };
}
