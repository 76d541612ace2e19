import { OAuthError } from "@mcp-cognito-workers/http";
import type { AppClientRef } from "../app-clients/shared";
import { CognitoError } from "../cognito/client";
import { toOAuthError } from "../cognito/errors";
import type { Config } from "../config";
import { relayCallbackUrl } from "../registration/cognito-config";
import type { RegistrationContext } from "../registration/context";
import { prepareCognitoClient, type ResolvedClient } from "./clients";
import { TRANSACTION_TTL_SECONDS } from "./cookies";
import { type AppContext, type FrontDoorDependencies, sealOptionsOf } from "./dependencies";
import { errorRedirect, redirect } from "./responses";
import { sealValue } from "./seal";
import { type Transaction, toSealed } from "./transaction";

/** Sends the person on to Cognito's login for an approved transaction. */
export async function proceed(
  deps: FrontDoorDependencies,
  c: AppContext,
  config: Config,
  context: RegistrationContext,
  resolved: ResolvedClient,
  tx: Transaction,
  cookies: string[],
): Promise<Response> {
  const discovery = await deps.getDiscovery(config.cognito.issuer);
  let appClient: AppClientRef;
  try {
    appClient = await prepareCognitoClient(
      resolved,
      context,
      deps.creationGuard(c.env, c.req.raw, config),
    );
  } catch (error) {
    const oauth =
      error instanceof OAuthError
        ? error
        : error instanceof CognitoError
          ? toOAuthError(error)
          : undefined;
    if (!oauth) throw error;
    const code =
      oauth.status === 429 || oauth.status === 503 ? "temporarily_unavailable" : "server_error";
    return errorRedirect(context.issuer, tx, code, oauth.description, cookies);
  }
  const state = await sealValue<Transaction>(
    "transaction",
    { ...tx, ...toSealed(appClient) },
    TRANSACTION_TTL_SECONDS,
    sealOptionsOf(deps, config),
  );
  const target = new URL(discovery.authorization_endpoint);
  const params = new URLSearchParams({
    response_type: "code",
    client_id: appClient.clientId,
    redirect_uri: relayCallbackUrl(context.issuer),
    state,
    scope: tx.scope,
    code_challenge: tx.codeChallenge,
    code_challenge_method: "S256",
  });
  if (tx.resource !== undefined) params.set("resource", tx.resource);
  if (tx.nonce !== undefined) params.set("nonce", tx.nonce);
  const prompt = tx.prompt?.split(" ");
  if (prompt?.includes("login")) params.set("prompt", "login");
  else if (prompt?.includes("none")) params.set("prompt", "none");
  target.search = params.toString();
  return redirect(target.href, cookies);
}
