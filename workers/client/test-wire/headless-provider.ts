import { randomBytes } from "node:crypto";
import {
  authorizeThroughFrontDoor,
  CookieJar,
  type FrontDoorSignInResult,
} from "@mcp-cognito-workers/test-support/sign-in";
import type {
  FetchLike,
  OAuthClientMetadata,
  OAuthClientProvider,
  OAuthDiscoveryState,
  StoredOAuthClientInformation,
  StoredOAuthTokens,
} from "@modelcontextprotocol/client";

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
  /** The request's MCP headers (`mcp-protocol-version`, `mcp-method`, `mcp-name`) it had. */
  mcpHeaders?: Record<string, string>;
}

/** The request headers of MCP's Streamable HTTP transport that an exchange records. */
const MCP_HEADERS = ["mcp-protocol-version", "mcp-method", "mcp-name"];

/** Options of {@link HeadlessOAuthProvider}. */
export interface HeadlessOAuthProviderOptions {
  username: string;
  password: string;
  /** Loopback redirect URI registered by DCR; nothing listens there, the code is read from the redirect. */
  redirectUrl?: string;
  /** `none` (a public native client, the default) or `client_secret_basic`. */
  tokenEndpointAuthMethod?: "none" | "client_secret_basic";
}

/**
 * An MCP SDK 2.x `OAuthClientProvider` that signs in through dcr's front door (consent, then
 * cognito-local's managed login) without a browser, recording every step. It keeps one client,
 * one token set and the discovery state, as an application keeps them for one session.
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
  private discovery: OAuthDiscoveryState | undefined;
  private information: StoredOAuthClientInformation | undefined;
  private saved: StoredOAuthTokens | undefined;
  private verifier: string | undefined;
  private callback: URLSearchParams | undefined;

  constructor(private readonly options: HeadlessOAuthProviderOptions) {}

  /** The fetch to give the transport (`fetch` option): records what the SDK sends and gets. */
  readonly fetch: FetchLike = async (url, init) => {
    const response = await fetch(url, init);
    const challenge = response.headers.get("www-authenticate") ?? undefined;
    const body = init?.body;
    const headers = new Headers(init?.headers);
    const authorization = headers.get("authorization")?.split(" ")[0];
    const mcpHeaders = Object.fromEntries(
      MCP_HEADERS.flatMap((name) => {
        const value = headers.get(name);
        return value === null ? [] : [[name, value]];
      }),
    );
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
      ...(Object.keys(mcpHeaders).length > 0 ? { mcpHeaders } : {}),
    });
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

  clientInformation(): StoredOAuthClientInformation | undefined {
    return this.information;
  }

  saveClientInformation(information: StoredOAuthClientInformation): void {
    this.information = information;
  }

  tokens(): StoredOAuthTokens | undefined {
    return this.saved;
  }

  saveTokens(tokens: StoredOAuthTokens): void {
    this.saved = tokens;
  }

  saveCodeVerifier(verifier: string): void {
    this.verifier = verifier;
  }

  codeVerifier(): string {
    if (this.verifier === undefined) throw new Error("no code verifier saved");
    return this.verifier;
  }

  /** Kept with the code verifier: the SDK binds the callback to the server it authorized at. */
  saveDiscoveryState(state: OAuthDiscoveryState): void {
    this.discovery = state;
  }

  discoveryState(): OAuthDiscoveryState | undefined {
    return this.discovery;
  }

  invalidateCredentials(scope: "all" | "client" | "tokens" | "verifier" | "discovery"): void {
    if (scope === "all" || scope === "client") this.information = undefined;
    if (scope === "all" || scope === "tokens") this.saved = undefined;
    if (scope === "all" || scope === "verifier") this.verifier = undefined;
    if (scope === "all" || scope === "discovery") this.discovery = undefined;
  }

  /**
   * The query of the last sign-in's redirect (`code`, `state`, `iss`), for
   * `transport.finishAuth(params)`, which checks `iss` (RFC 9207); once only.
   */
  takeCallback(): URLSearchParams {
    const callback = this.callback;
    if (callback === undefined) throw new Error("no callback: no sign-in has completed");
    this.callback = undefined;
    return callback;
  }

  /**
   * Signs in as a person in a browser would, through the front door (consent, Cognito's managed
   * login, the callback relay), keeping cookies across sign-ins, and keeps the redirect's query.
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
    // The SDK leaves `state` to the application (its finishAuth does not read it).
    const state = location.searchParams.get("state");
    if (state === null || state !== this.lastState)
      throw new Error("the redirect's state is not the one this provider handed out");
    this.callback = location.searchParams;
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
