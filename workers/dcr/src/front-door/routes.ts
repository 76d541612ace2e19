// The front door: `/authorize` with per-client consent, the callback relay that binds each
// transaction to the browser that started it, and `/token` and `/revoke` relayed to Cognito.
// Cognito still authenticates the person and issues every token; this decides which client may
// ask, with the person's consent, and where the answer may go.
import type { Context, Hono } from "hono";
import { getCookie } from "hono/cookie";
import type { AppClientRef } from "../app-clients/shared";
import { CognitoError } from "../cognito/client";
import { toOAuthError } from "../cognito/errors";
import type { Settings } from "../config";
import type { CognitoDiscovery } from "../metadata/discovery";
import { OAuthError, type OAuthErrorCode } from "../oauth/oauth-error";
import { audit } from "../registration/abuse";
import { relayCallbackUrl } from "../registration/cognito-config";
import { matchesHash, sha256Hex } from "../registration/secrets";
import { isTokenUseDue, type RegistrationContext } from "../registration/service";
import {
  type AuthorizationRequest,
  buildRedirect,
  readClientId,
  validateAuthorizeRequest,
} from "./authorize-request";
import {
  assertRegisteredMethod,
  invalidClient,
  type PresentedClient,
  readPresentedClient,
} from "./client-auth";
import {
  type CreationGuard,
  findRelayClient,
  prepareCognitoClient,
  type RelayClient,
  type ResolvedClient,
  recordCimdTokenUse,
  resolveClient,
  sharedAppClientFor,
  UnknownClientError,
} from "./clients";
import {
  buildTokenResponse,
  type CognitoClientCredentials,
  cognitoOAuthRequest,
  processCognitoRevocationResponse,
  processCognitoTokenResponse,
} from "./cognito-oauth";
import { isRemembered, rememberApproval } from "./consent";
import {
  buildSetCookie,
  consentCookieName,
  TRANSACTION_TTL_SECONDS,
  transactionCookieName,
} from "./cookies";
import {
  GRANT_REWRITE_INTERVAL_SECONDS,
  openRefreshToken,
  readOriginJti,
  refreshTokenAppClient,
  type SealedRefreshToken,
  sealRefreshToken,
  writeGrant,
} from "./grants";
import { readForm } from "./http";
import {
  pageHeaders,
  renderConsentPage,
  renderErrorPage,
  STYLESHEET,
  STYLESHEET_PATH,
} from "./pages";
import { matchRedirectUri } from "./redirect-match";
import { openValue, randomToken, type SealOptions, sealValue } from "./seal";

/** Largest form accepted by the token, revocation and decision endpoints. */
export const MAX_FORM_BYTES = 16 * 1024;
/** Lifetime of a relayed code (Cognito's own codes live 5 minutes). */
export const RELAYED_CODE_TTL_SECONDS = 300;

/** The app client a sealed value names: its id, and its group and slot when it is shared. */
interface SealedAppClient {
  cognitoClientId: string;
  appClientGroup?: string;
  appClientSlot?: number;
}

/** A transaction: the client's request, bound to a browser by the hash of a one-time cookie. */
export interface Transaction extends AuthorizationRequest, Partial<SealedAppClient> {
  id: string;
  /** Hex SHA-256 of the binding cookie's value. */
  binding: string;
}

/** What a relayed code carries: Cognito's code, whom it was issued to, and through which app client. */
interface RelayedCode extends SealedAppClient {
  code: string;
  clientId: string;
  redirectUri: string;
  redirectUriGiven: boolean;
}

/** The sealed form of an app client. */
function toSealed(ref: AppClientRef): SealedAppClient {
  return {
    cognitoClientId: ref.clientId,
    ...(ref.group !== undefined && ref.slot !== undefined
      ? { appClientGroup: ref.group, appClientSlot: ref.slot }
      : {}),
  };
}

/** The app client a sealed value names. */
function fromSealed(sealed: SealedAppClient): AppClientRef {
  return refreshTokenAppClient({ refreshToken: "", ...sealed });
}

/** What the routes need from the app. */
export interface FrontDoorDependencies {
  fetch?: typeof fetch;
  now: () => number;
  getDiscovery: (issuer: string) => Promise<CognitoDiscovery>;
  contextOf: (env: Env, request: Request) => { settings: Settings; context: RegistrationContext };
  /** Limits app-client creation for a request (CIMD first use). */
  creationGuard: (env: Env, request: Request, settings: Settings) => CreationGuard;
  /** Records that `/token` issued tokens to a DCR registration (the cleanup of unused ones). */
  recordTokenUse: (context: RegistrationContext, clientId: string) => Promise<void>;
}

type AppContext = Context<{ Bindings: Env }>;

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

/** Whether this browser sent the cookie the transaction was bound to (compared in constant time). */
function isBoundToThisBrowser(cookie: string | undefined, tx: Transaction): Promise<boolean> {
  return cookie === undefined ? Promise.resolve(false) : matchesHash(cookie, tx.binding);
}

function errorPage(message: string, status: 400 | 403 | 429 | 502 | 503 = 400): Response {
  return new Response(String(renderErrorPage(message)), { status, headers: pageHeaders() });
}

function redirect(location: string, cookies: string[] = []): Response {
  const headers = new Headers({ Location: location, "Cache-Control": "no-store" });
  for (const cookie of cookies) headers.append("Set-Cookie", cookie);
  return new Response(null, { status: 302, headers });
}

/** A printable error description, or none. @see RFC 6749 §4.1.2.1 */
function safeDescription(value: string | null | undefined): string | undefined {
  if (!value || value.length > 200 || !/^[\x20-\x21\x23-\x5b\x5d-\x7e]+$/.test(value))
    return undefined;
  return value;
}

/** The CSP sources the consent form may lead to: Cognito's login and the client's redirect. */
function formActionSources(authorizationEndpoint: string, redirectUri: string): string[] {
  const target = new URL(redirectUri);
  const client =
    target.protocol === "http:" || target.protocol === "https:" ? target.origin : target.protocol;
  return [new URL(authorizationEndpoint).origin, client];
}

/** Adds the front door's routes to `app`. */
export function addFrontDoorRoutes(app: Hono<{ Bindings: Env }>, deps: FrontDoorDependencies) {
  const sealOptions = (settings: Settings): SealOptions => ({
    secret: settings.frontDoor.key,
    now: deps.now,
  });

  const errorRedirect = (
    issuer: string,
    tx: Pick<AuthorizationRequest, "redirectUri" | "state">,
    error: OAuthErrorCode,
    description: string | undefined,
    cookies: string[] = [],
  ) =>
    redirect(
      buildRedirect(tx.redirectUri, {
        error,
        error_description: description,
        state: tx.state,
        iss: issuer,
      }),
      cookies,
    );

  const clearBinding = (issuer: string, id: string) =>
    buildSetCookie(issuer, transactionCookieName(issuer, id), "", 0);

  const resolution = (settings: Settings, context: RegistrationContext) => ({
    registration: context,
    cimdEnabled: settings.frontDoor.cimdEnabled,
    cimdAllowLocalUrls: settings.frontDoor.cimdAllowLocalUrls,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  });

  /** Sends the person on to Cognito's login for an approved transaction. */
  const proceed = async (
    c: AppContext,
    settings: Settings,
    context: RegistrationContext,
    resolved: ResolvedClient,
    tx: Transaction,
    cookies: string[],
  ): Promise<Response> => {
    const discovery = await deps.getDiscovery(settings.cognito.issuer);
    let appClient: AppClientRef;
    try {
      appClient = await prepareCognitoClient(
        resolved,
        context,
        deps.creationGuard(c.env, c.req.raw, settings),
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
      sealOptions(settings),
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
  };

  app.get(
    STYLESHEET_PATH,
    () =>
      new Response(STYLESHEET, {
        headers: {
          "Content-Type": "text/css; charset=utf-8",
          "Cache-Control": "public, max-age=3600",
        },
      }),
  );

  app.get("/authorize", async (c) => {
    const { settings, context } = deps.contextOf(c.env, c.req.raw);
    const query = new URL(c.req.url).searchParams;
    const clientId = readClientId(query);
    if (typeof clientId !== "string") return errorPage(clientId.message);
    let resolved: ResolvedClient;
    try {
      resolved = await resolveClient(clientId, resolution(settings, context));
    } catch (error) {
      if (error instanceof UnknownClientError) return errorPage(error.message);
      throw error;
    }
    const decided = validateAuthorizeRequest(query, resolved.client, settings.policy.defaultScopes);
    if ("kind" in decided) {
      if (decided.kind === "page") return errorPage(decided.message);
      return errorRedirect(context.issuer, decided, decided.error, decided.description);
    }
    const seal = sealOptions(settings);
    const bindingValue = randomToken(32);
    const tx: Transaction = {
      ...decided,
      id: randomToken(12),
      binding: await sha256Hex(bindingValue),
    };
    const bindingCookie = buildSetCookie(
      context.issuer,
      transactionCookieName(context.issuer, tx.id),
      bindingValue,
      TRANSACTION_TTL_SECONDS,
    );
    const askAgain = tx.prompt?.split(" ").includes("consent") ?? false;
    const remembered =
      !askAgain &&
      settings.frontDoor.consentTtlSeconds > 0 &&
      (await isRemembered(
        getCookie(c, consentCookieName(context.issuer)),
        tx.clientId,
        tx.scope,
        seal,
      ));
    if (remembered) {
      audit({ action: "consent", outcome: "remembered", clientId: tx.clientId, scope: tx.scope });
      return proceed(c, settings, context, resolved, tx, [bindingCookie]);
    }
    if (tx.prompt?.split(" ").includes("none"))
      return errorRedirect(
        context.issuer,
        tx,
        "consent_required",
        "the person has not approved this client",
      );
    const discovery = await deps.getDiscovery(settings.cognito.issuer);
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
  });

  app.post("/authorize/decision", async (c) => {
    const { settings, context } = deps.contextOf(c.env, c.req.raw);
    const origin = c.req.header("origin");
    if (origin !== undefined && origin !== new URL(context.issuer).origin)
      return errorPage("This approval was sent from another site.", 403);
    let form: Map<string, string>;
    try {
      form = await readForm(c.req.raw, MAX_FORM_BYTES);
    } catch (error) {
      if (error instanceof OAuthError)
        return errorPage(`The approval could not be read: ${error.description}.`);
      throw error;
    }
    const seal = sealOptions(settings);
    const tx = await openValue<Transaction>("transaction", form.get("transaction"), seal);
    if (!tx) return errorPage("This approval has expired or was not issued by this server.");
    const cookieName = transactionCookieName(context.issuer, tx.id);
    if (!(await isBoundToThisBrowser(getCookie(c, cookieName), tx)))
      return errorPage("This approval was not started in this browser.", 403);
    let resolved: ResolvedClient;
    try {
      resolved = await resolveClient(tx.clientId, resolution(settings, context));
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
    const cookies = [
      buildSetCookie(
        context.issuer,
        cookieName,
        getCookie(c, cookieName) ?? "",
        TRANSACTION_TTL_SECONDS,
      ),
    ];
    const ttl = settings.frontDoor.consentTtlSeconds;
    if (ttl > 0) {
      const name = consentCookieName(context.issuer);
      const value = await rememberApproval(getCookie(c, name), tx.clientId, tx.scope, ttl, seal);
      cookies.push(buildSetCookie(context.issuer, name, value, ttl));
    }
    return proceed(c, settings, context, resolved, tx, cookies);
  });

  app.get("/callback", async (c) => {
    const { settings, context } = deps.contextOf(c.env, c.req.raw);
    const query = new URL(c.req.url).searchParams;
    const seal = sealOptions(settings);
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
  });

  /**
   * The form of a token or revocation request and the client it authenticates as: one it knows,
   * using the method it registered. A registration served by a shared app client is
   * authenticated here, against the hash of the secret the facade issued it; one with its own app
   * client is authenticated by Cognito, which holds its secret.
   */
  const readRelayRequest = async (
    c: AppContext,
    settings: Settings,
    context: RegistrationContext,
  ) => {
    const form = await readForm(c.req.raw, MAX_FORM_BYTES);
    const presented = readPresentedClient(c.req.header("authorization"), form);
    const found = await findRelayClient(presented.clientId, context.kv, settings.frontDoor);
    if (!found) throw invalidClient("the client is not known to this server");
    assertRegisteredMethod(presented, found.client.tokenEndpointAuthMethod);
    if (found.kind === "dcr" && found.record.sharedAppClient && presented.method !== "none") {
      const hash = found.record.clientSecretHash;
      const ok =
        hash !== undefined &&
        presented.clientSecret !== undefined &&
        (await matchesHash(presented.clientSecret, hash));
      if (!ok) throw invalidClient("client authentication failed");
    }
    return { form, presented, found };
  };

  /** The id of a client's own app client, if it has one (made before app clients were shared). */
  const ownAppClientOf = (found: RelayClient): string | undefined =>
    found.kind === "dcr"
      ? found.record.sharedAppClient
        ? undefined
        : found.record.clientId
      : found.cimd.cognitoClientId;

  /**
   * The credentials to relay with as `ref`: a shared app client with its own secret (the client
   * authenticated to the facade already), or the client's own app client with the secret it
   * presented (Cognito checks it). A grant that names an app client its client cannot use, or a
   * shared one that is gone, is `invalid_grant`.
   */
  const credentialsFor = async (
    context: RegistrationContext,
    found: RelayClient,
    presented: PresentedClient,
    ref: AppClientRef,
  ): Promise<CognitoClientCredentials> => {
    if (ref.group === undefined || ref.slot === undefined) {
      if (ref.clientId !== ownAppClientOf(found))
        throw new OAuthError("invalid_grant", "the grant was issued to another client");
      return {
        clientId: ref.clientId,
        ...(presented.clientSecret !== undefined ? { clientSecret: presented.clientSecret } : {}),
      };
    }
    if (found.kind === "dcr" && !found.record.sharedAppClient)
      throw new OAuthError("invalid_grant", "the grant was issued to another client");
    const shared = await context.appClients.find({
      clientId: ref.clientId,
      group: ref.group,
      slot: ref.slot,
    });
    if (!shared)
      throw new OAuthError(
        "invalid_grant",
        "the grant's app client no longer exists; sign in again",
      );
    return {
      clientId: shared.clientId,
      ...(shared.clientSecret !== undefined ? { clientSecret: shared.clientSecret } : {}),
    };
  };

  /**
   * The app client of a refresh token: a sealed one names it; an unsealed one (issued before
   * refresh tokens were sealed) is accepted only from a client with its own app client, which
   * Cognito binds it to.
   */
  const refreshGrant = async (
    settings: Settings,
    found: RelayClient,
    presented: PresentedClient,
    refreshToken: string,
  ): Promise<{ ref: AppClientRef; sealed?: SealedRefreshToken; token: string }> => {
    const sealed = await openRefreshToken(presented.clientId, refreshToken, sealOptions(settings));
    if (sealed) return { ref: refreshTokenAppClient(sealed), sealed, token: sealed.refreshToken };
    const own = ownAppClientOf(found);
    if (own === undefined || /^[\w-]+\.[\w-]+$/.test(refreshToken))
      throw new OAuthError(
        "invalid_grant",
        "the refresh token is invalid, expired, or was issued to another client",
      );
    return { ref: { clientId: own }, token: refreshToken };
  };

  app.post("/token", async (c) => {
    const { settings, context } = deps.contextOf(c.env, c.req.raw);
    const { form, presented, found } = await readRelayRequest(c, settings, context);
    // First: without Cognito's endpoints nothing can be relayed, whatever the grant (503).
    const discovery = await deps.getDiscovery(settings.cognito.issuer);
    const upstream = new URLSearchParams();
    const grantType = form.get("grant_type");
    if (grantType === undefined)
      throw new OAuthError("invalid_request", '"grant_type" is required');
    let ref: AppClientRef;
    let previous: SealedRefreshToken | undefined;
    if (grantType === "authorization_code") {
      const sealed = form.get("code");
      if (!sealed) throw new OAuthError("invalid_request", '"code" is required');
      const verifier = form.get("code_verifier");
      if (!verifier) throw new OAuthError("invalid_request", '"code_verifier" is required');
      const relayed = await openValue<RelayedCode>("code", sealed, sealOptions(settings));
      if (!relayed)
        throw new OAuthError(
          "invalid_grant",
          "the code is invalid, expired, or was not issued by this server",
        );
      if (relayed.clientId !== presented.clientId)
        throw new OAuthError("invalid_grant", "the code was issued to another client");
      const redirectUri = form.get("redirect_uri");
      const redirectOk = relayed.redirectUriGiven
        ? redirectUri === relayed.redirectUri
        : redirectUri === undefined || redirectUri === relayed.redirectUri;
      if (!redirectOk)
        throw new OAuthError(
          "invalid_grant",
          '"redirect_uri" does not match the authorization request',
        );
      ref = fromSealed(relayed);
      upstream.set("grant_type", "authorization_code");
      upstream.set("code", relayed.code);
      upstream.set("redirect_uri", relayCallbackUrl(context.issuer));
      upstream.set("code_verifier", verifier);
    } else if (grantType === "refresh_token") {
      const refreshToken = form.get("refresh_token");
      if (!refreshToken) throw new OAuthError("invalid_request", '"refresh_token" is required');
      const grant = await refreshGrant(settings, found, presented, refreshToken);
      ref = grant.ref;
      previous = grant.sealed;
      upstream.set("grant_type", "refresh_token");
      upstream.set("refresh_token", grant.token);
    } else if (grantType === "client_credentials") {
      if (!found.client.grantTypes.includes("client_credentials") || found.kind !== "dcr")
        throw new OAuthError(
          "unauthorized_client",
          "this client is not registered for client_credentials",
        );
      const scope = form.get("scope");
      const registered = found.record.metadata.scope.split(" ");
      const asked = scope ? scope.split(" ").filter((s) => s !== "") : registered;
      const refused = asked.find((s) => !registered.includes(s));
      if (refused !== undefined)
        throw new OAuthError(
          "invalid_scope",
          `the scope ${JSON.stringify(refused.slice(0, 64))} is not allowed for this client`,
        );
      if (found.record.sharedAppClient) {
        const shared = await sharedAppClientFor(
          found.record.metadata,
          found.record.clientId,
          context,
        );
        ref = { clientId: shared.clientId, group: shared.group, slot: shared.slot };
        // Always named: a shared app client holds every scope of its group, which is this
        // registration's, but never ask Cognito for more than the registration may have.
        upstream.set("scope", asked.join(" "));
      } else {
        ref = { clientId: found.record.clientId };
        if (scope) upstream.set("scope", scope);
      }
      upstream.set("grant_type", "client_credentials");
    } else {
      throw new OAuthError(
        "unsupported_grant_type",
        `grant_type ${JSON.stringify(grantType.slice(0, 64))} is not supported`,
      );
    }
    const credentials = await credentialsFor(context, found, presented, ref);
    const body = await processCognitoTokenResponse(
      await cognitoOAuthRequest(discovery.token_endpoint, upstream, credentials, deps.fetch),
    );
    const isSharedRegistration = found.kind === "dcr" && found.record.sharedAppClient === true;
    // A code grant always brings a refresh token; a refresh brings one when the app client rotates.
    const refreshToken = typeof body.refresh_token === "string" ? body.refresh_token : undefined;
    const grant = isSharedRegistration
      ? await recordGrant(
          context,
          presented.clientId,
          body.access_token,
          previous,
          refreshToken !== undefined,
        )
      : {};
    if (refreshToken !== undefined)
      body.refresh_token = await sealRefreshToken(
        presented.clientId,
        { refreshToken, ...toSealed(ref), ...grant },
        sealOptions(settings),
      );
    // The record just read says whether the use is due: most token requests write nothing.
    if (found.kind === "dcr" && isTokenUseDue(found.record, Math.floor(context.now() / 1000)))
      await deps.recordTokenUse(context, found.client.clientId);
    if (found.kind === "cimd") await recordCimdTokenUse(found.cimd, context);
    return buildTokenResponse(body);
  });

  /**
   * Writes the grant record of a shared registration's sign-in (its `origin_jti`), so that mcp-rs
   * refuses its access tokens once the registration is deleted: at the first tokens of a sign-in,
   * when Cognito starts another, or when a rotated refresh token outlives the last write by a day
   * (one that is not rotated dies, 30 days after the sign-in, before the record does). A failed
   * write is logged; the tokens still expire within ACCESS_TOKEN_MINUTES.
   */
  const recordGrant = async (
    context: RegistrationContext,
    clientId: string,
    accessToken: string,
    previous: SealedRefreshToken | undefined,
    rotated: boolean,
  ): Promise<Pick<SealedRefreshToken, "originJti" | "grantWrittenAt">> => {
    const originJti = readOriginJti(accessToken);
    if (originJti === undefined) return {};
    const nowSeconds = Math.floor(context.now() / 1000);
    const writtenAt = previous?.originJti === originJti ? previous.grantWrittenAt : undefined;
    if (
      writtenAt !== undefined &&
      (!rotated || nowSeconds - writtenAt < GRANT_REWRITE_INTERVAL_SECONDS)
    )
      return { originJti, grantWrittenAt: writtenAt };
    try {
      await writeGrant(context.kv, originJti, clientId, context.now());
      return { originJti, grantWrittenAt: nowSeconds };
    } catch (error) {
      console.error(
        JSON.stringify({ event: "grant_not_recorded", clientId, error: String(error) }),
      );
      return writtenAt !== undefined ? { originJti, grantWrittenAt: writtenAt } : {};
    }
  };

  app.post("/revoke", async (c) => {
    const { settings, context } = deps.contextOf(c.env, c.req.raw);
    const { form, presented, found } = await readRelayRequest(c, settings, context);
    const token = form.get("token");
    if (!token) throw new OAuthError("invalid_request", '"token" is required');
    const discovery = await deps.getDiscovery(settings.cognito.issuer);
    if (!discovery.revocation_endpoint)
      throw new OAuthError("temporarily_unavailable", "revocation is not available", 503);
    let grant: Awaited<ReturnType<typeof refreshGrant>>;
    let credentials: CognitoClientCredentials;
    try {
      grant = await refreshGrant(settings, found, presented, token);
      credentials = await credentialsFor(context, found, presented, grant.ref);
    } catch (error) {
      // RFC 7009 §2.2: a token that is invalid (or not this client's) needs no revocation.
      if (error instanceof OAuthError && error.code === "invalid_grant")
        return new Response(null, { status: 200, headers: { "Cache-Control": "no-store" } });
      throw error;
    }
    return processCognitoRevocationResponse(
      await cognitoOAuthRequest(
        discovery.revocation_endpoint,
        new URLSearchParams({ token: grant.token }),
        credentials,
        deps.fetch,
      ),
    );
  });
}
