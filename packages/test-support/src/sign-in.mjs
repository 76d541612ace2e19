// Signing in with PKCE and redeeming the code, on top of the browser's walk (browser.mjs). The
// wire tests, the conformance runs and the bench all sign in with it.
import { createHash, randomBytes } from "node:crypto";
import { authorizeThroughFrontDoor, CookieJar } from "./browser.mjs";

export { authorizeThroughFrontDoor, CookieJar };

/** The redirect URI registered for the stand-in's static client. */
const STATIC_CLIENT_REDIRECT_URI = "http://localhost:3000/callback";

/** A PKCE pair (RFC 7636, S256). */
export function pkce() {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

/**
 * Signs in at cognito-local's managed login as a browser would (authorize → login form → code)
 * and redeems the code with PKCE and the client's Basic credentials; returns the tokens.
 * `origin` is the managed-login domain (the origin of discovery's `authorization_endpoint`), not
 * the issuer's host: there, these paths answer 404, as on Cognito.
 */
export async function signIn(origin, options) {
  const { verifier, challenge } = pkce();
  const state = randomBytes(16).toString("base64url");
  const params = new URLSearchParams({
    response_type: "code",
    client_id: options.clientId,
    redirect_uri: options.redirectUri,
    state,
    code_challenge: challenge,
    code_challenge_method: "S256",
  });
  if (options.scope) params.set("scope", options.scope);
  if (options.resource) params.set("resource", options.resource);

  const { location } = await authorizeThroughFrontDoor(`${origin}/oauth2/authorize?${params}`, {
    username: options.username,
    password: options.password,
  });
  const code = location.searchParams.get("code");
  if (!code || location.searchParams.get("state") !== state)
    throw new Error(`sign-in did not return a code: ${location}`);

  const basic = Buffer.from(`${options.clientId}:${options.clientSecret}`).toString("base64");
  const token = await fetch(`${origin}/oauth2/token`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization: `Basic ${basic}`,
    },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code,
      redirect_uri: options.redirectUri,
      code_verifier: verifier,
    }).toString(),
  });
  if (!token.ok) throw new Error(`token endpoint answered ${token.status}: ${await token.text()}`);
  return token.json();
}

/**
 * Signs the stand-in's demo user in with its static client at the managed login (by default the
 * stand-in's own), for `scope` and, when given, the RFC 8707 `resource`; returns the tokens.
 */
export function signInDemoUser(standIn, options) {
  return signIn(options.loginOrigin ?? standIn.loginOrigin, {
    clientId: standIn.vars.STATIC_CLIENT_ID,
    clientSecret: standIn.vars.STATIC_CLIENT_SECRET,
    redirectUri: STATIC_CLIENT_REDIRECT_URI,
    username: standIn.vars.DEMO_USERNAME,
    password: standIn.vars.DEMO_PASSWORD,
    scope: options.scope,
    resource: options.resource,
  });
}
