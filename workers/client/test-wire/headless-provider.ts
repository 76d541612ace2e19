import { randomBytes } from "node:crypto";
import {
  extractWWWAuthenticateParams,
  type OAuthClientProvider,
} from "@modelcontextprotocol/sdk/client/auth.js";
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from "@modelcontextprotocol/sdk/shared/auth.js";
import type { FetchLike } from "@modelcontextprotocol/sdk/shared/transport.js";

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

/** An MCP SDK `OAuthClientProvider` that signs in at cognito-local's managed login without a browser, recording every step. */
export class HeadlessOAuthProvider implements OAuthClientProvider {
  /** Every exchange in order, for asserting the flow. */
  readonly exchanges: Exchange[] = [];
  /** Each authorization URL the SDK sent the user agent to. */
  readonly authorizations: URL[] = [];
  /** The state last handed to the SDK, expected back on the redirect. */
  private lastState: string | undefined;
  private readonly cookies = new Map<string, string>();
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

  /** Signs in as the user agent would, keeping cookies across sign-ins, and keeps the code. */
  async redirectToAuthorization(authorizationUrl: URL): Promise<void> {
    this.authorizations.push(authorizationUrl);
    let response = await this.send(authorizationUrl);
    let location = this.location(response, authorizationUrl);
    if (location.pathname === "/login") {
      response = await this.send(location);
      const html = await response.text();
      const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
      const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
      if (!action || !csrf) throw new Error(`no sign-in form at ${location}: ${response.status}`);
      const target = new URL(action.replace(/&amp;/g, "&"), location);
      response = await this.send(target, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          _csrf: csrf,
          username: this.options.username,
          password: this.options.password,
        }).toString(),
      });
      location = this.location(response, target);
    }
    const redirect = new URL(this.redirectUrl);
    if (location.origin !== redirect.origin || location.pathname !== redirect.pathname)
      throw new Error(
        `sign-in ended at ${location.origin}${location.pathname}, not the redirect URI`,
      );
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

  private async send(url: URL, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0)
      headers.set(
        "cookie",
        [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; "),
      );
    const response = await fetch(url, { ...init, headers, redirect: "manual" });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const eq = pair.indexOf("=");
      this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    this.exchanges.push({
      via: "sign-in",
      method: init.method ?? "GET",
      url,
      status: response.status,
    });
    return response;
  }

  private location(response: Response, from: URL): URL {
    const location = response.headers.get("location");
    if (location === null)
      throw new Error(
        `expected a redirect from ${from.origin}${from.pathname}: ${response.status}`,
      );
    return new URL(location, from);
  }
}
