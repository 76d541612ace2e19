import { randomBytes } from "node:crypto";
import {
  extractWWWAuthenticateParams,
  type OAuthClientProvider,
  type OAuthDiscoveryState,
} from "@modelcontextprotocol/sdk/client/auth.js";
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from "@modelcontextprotocol/sdk/shared/auth.js";
import type { FetchLike } from "@modelcontextprotocol/sdk/shared/transport.js";
import {
  authorizeThroughFrontDoor,
  CookieJar,
  type FrontDoorSignInResult,
} from "../../dcr/test-wire/front-door-sign-in.mjs";

/** One HTTP exchange seen by the provider: through the transport's fetch, or its own sign-in. */
export interface Exchange {
  /** `transport`: a request the SDK made; `sign-in`: one the headless user agent made. */
  via: "transport" | "sign-in";
  method: string;
  url: URL;
  status: number;
  /** The scheme of the request's `Authorization` (`Bearer`, `Basic`), when it had one. */
  authorization?: string;
  /** The request body, when it was a string or form. */
  body?: string;
  /** The response's `WWW-Authenticate`, when it had one. */
  challenge?: string;
}

/** Options of {@link HeadlessOAuthProvider}. */
export interface HeadlessOAuthProviderOptions {
  username: string;
  password: string;
  /** Loopback redirect URI registered by DCR; nothing listens there, the code is read from the redirect. */
  redirectUrl?: string;
  /** `none` (a public native client, the default) or `client_secret_basic`. */
  tokenEndpointAuthMethod?: "none" | "client_secret_basic";
  /**
   * Drop the tokens when the resource server answers 403 `insufficient_scope`, so that the SDK's
   * `auth()` authorizes anew with the challenged scope instead of refreshing (a refresh keeps the
   * scopes of the original grant). Default true.
   */
  reauthorizeOnInsufficientScope?: boolean;
}

/**
 * An MCP SDK `OAuthClientProvider` that signs in through dcr's front door (consent, then
 * cognito-local's managed login) without a browser, recording every step.
 */
export class HeadlessOAuthProvider implements OAuthClientProvider {
  /** Every exchange in order, for asserting the flow. */
  readonly exchanges: Exchange[] = [];
  /** Each authorization URL the SDK sent the user agent to. */
  readonly authorizations: URL[] = [];
  /** What each walk through the front door saw (consent, login) and where it ended. */
  readonly signIns: FrontDoorSignInResult[] = [];
  /** The state last handed to the SDK, expected back on the redirect. */
  private lastState: string | undefined;
  /** One browser for every sign-in, so remembered consent and Cognito's session carry over. */
  private readonly jar = new RecordingJar((exchange) => this.exchanges.push(exchange));
  private authorizationServer: OAuthDiscoveryState["authorizationServerMetadata"];
  private information: OAuthClientInformationMixed | undefined;
  private saved: OAuthTokens | undefined;
  private verifier: string | undefined;
  private code: string | undefined;

  constructor(private readonly options: HeadlessOAuthProviderOptions) {}

  /** The fetch to give the transport (`fetch` option): records, and handles scope challenges. */
  readonly fetch: FetchLike = async (url, init) => {
    const response = await fetch(url, init);
    const challenge = response.headers.get("www-authenticate") ?? undefined;
    const body = init?.body;
    const authorization = new Headers(init?.headers).get("authorization")?.split(" ")[0];
    this.exchanges.push({
      via: "transport",
      method: init?.method ?? "GET",
      url: new URL(url),
      status: response.status,
      ...(authorization === undefined ? {} : { authorization }),
      ...(typeof body === "string" || body instanceof URLSearchParams
        ? { body: body.toString() }
        : {}),
      ...(challenge === undefined ? {} : { challenge }),
    });
    if (
      response.status === 403 &&
      this.options.reauthorizeOnInsufficientScope !== false &&
      extractWWWAuthenticateParams(response).error === "insufficient_scope"
    )
      await this.invalidateCredentials("tokens");
    return response;
  };

  get redirectUrl(): string {
    return this.options.redirectUrl ?? "http://localhost:3000/callback";
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: "MCP SDK headless wire test",
      redirect_uris: [this.redirectUrl],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: this.options.tokenEndpointAuthMethod ?? "none",
    };
  }

  state(): string {
    const state = randomBytes(16).toString("base64url");
    this.lastState = state;
    return state;
  }

  clientInformation(): OAuthClientInformationMixed | undefined {
    return this.information;
  }

  saveClientInformation(information: OAuthClientInformationMixed): void {
    this.information = information;
  }

  tokens(): OAuthTokens | undefined {
    return this.saved;
  }

  saveTokens(tokens: OAuthTokens): void {
    this.saved = tokens;
  }

  saveCodeVerifier(verifier: string): void {
    this.verifier = verifier;
  }

  codeVerifier(): string {
    if (this.verifier === undefined) throw new Error("no code verifier saved");
    return this.verifier;
  }

  invalidateCredentials(scope: "all" | "client" | "tokens" | "verifier" | "discovery"): void {
    if (scope === "all" || scope === "client") this.information = undefined;
    if (scope === "all" || scope === "tokens") this.saved = undefined;
    if (scope === "all" || scope === "verifier") this.verifier = undefined;
  }

  /** Takes the code of the last sign-in, for `transport.finishAuth(code)`; once only. */
  takeCode(): string {
    const code = this.code;
    if (code === undefined) throw new Error("no authorization code: no sign-in has completed");
    this.code = undefined;
    return code;
  }

  /** Remembers the authorization server's metadata, to check the `iss` of each redirect. */
  saveDiscoveryState(state: OAuthDiscoveryState): void {
    this.authorizationServer = state.authorizationServerMetadata;
  }

  /**
   * Signs in as a person in a browser would, through the front door (consent, Cognito's managed
   * login, the callback relay), keeping cookies across sign-ins, and keeps the code.
   */
  async redirectToAuthorization(authorizationUrl: URL): Promise<void> {
    this.authorizations.push(authorizationUrl);
    const signIn = await authorizeThroughFrontDoor(authorizationUrl.href, {
      username: this.options.username,
      password: this.options.password,
      jar: this.jar,
    });
    this.signIns.push(signIn);
    const { location } = signIn;
    const redirect = new URL(this.redirectUrl);
    if (location.origin !== redirect.origin || location.pathname !== redirect.pathname)
      throw new Error(
        `sign-in ended at ${location.origin}${location.pathname}, not the redirect URI`,
      );
    // RFC 9207 §2.4: where the server says it sends `iss`, a response without the right one is
    // refused (a mix-up defence).
    const metadata: Record<string, unknown> | undefined = this.authorizationServer;
    const iss = location.searchParams.get("iss");
    if (
      metadata?.authorization_response_iss_parameter_supported === true &&
      iss !== metadata.issuer
    )
      throw new Error(`the redirect's iss ${iss} is not the issuer ${metadata.issuer}`);
    const error = location.searchParams.get("error");
    if (error !== null)
      throw new Error(
        `authorization refused: ${error} ${location.searchParams.get("error_description")}`,
      );
    const state = location.searchParams.get("state");
    if (state === null || state !== this.lastState)
      throw new Error("the redirect's state is not the one this provider handed out");
    const code = location.searchParams.get("code");
    if (code === null) throw new Error(`the redirect has no code: ${location}`);
    this.code = code;
  }
}

/** A browser's cookie jar that records every request it sends as a `sign-in` exchange. */
class RecordingJar extends CookieJar {
  constructor(private readonly record: (exchange: Exchange) => void) {
    super();
  }

  override async send(url: string, init: RequestInit = {}): Promise<Response> {
    const response = await super.send(url, init);
    this.record({
      via: "sign-in",
      method: init.method ?? "GET",
      url: new URL(url),
      status: response.status,
    });
    return response;
  }
}
