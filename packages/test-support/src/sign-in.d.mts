import { authorizeThroughFrontDoor, CookieJar } from "./browser.mjs";

export type { FrontDoorSignInOptions, FrontDoorSignInResult } from "./browser.mjs";
export { authorizeThroughFrontDoor, CookieJar };

/** A PKCE pair (RFC 7636, S256). */
export declare function pkce(): { verifier: string; challenge: string };

/** Options of {@link signIn}. */
export interface SignInOptions {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  username: string;
  password: string;
  scope?: string;
  /** RFC 8707 resource, bound into the access token's `aud`. */
  resource?: string;
}

/** Tokens from the token endpoint. */
export interface Tokens {
  access_token: string;
  id_token: string;
  refresh_token?: string;
}

/**
 * Signs in at cognito-local's managed login as a browser would and redeems the code with PKCE.
 * `origin` is the managed-login domain (discovery's `authorization_endpoint` origin), not the
 * issuer's host.
 */
export declare function signIn(origin: string, options: SignInOptions): Promise<Tokens>;

/** Signs the stand-in's demo user in with its static client at the managed login. */
export declare function signInDemoUser(
  standIn: { vars: Record<string, string>; loginOrigin: string },
  options: { scope: string; resource?: string; loginOrigin?: string },
): Promise<Tokens>;
