// Plain JavaScript so that both the wire tests and the scripts (scripts/lib/local-stack.mjs, run
// by Node as is) use the same sign-in; types in sign-in.d.mts.
import { createHash, randomBytes } from "node:crypto";

/**
 * Signs in at cognito-local's managed login as a browser would (authorize → login form → code)
 * and redeems the code with PKCE and the client's Basic credentials; returns the tokens.
 * `origin` is the managed-login domain (the origin of discovery's `authorization_endpoint`), not
 * the issuer's host: there, these paths answer 404, as on Cognito.
 */
export async function signIn(origin, options) {
  const cookies = new Map();
  const send = async (url, init = {}) => {
    const headers = new Headers(init.headers);
    headers.set("cookie", [...cookies].map(([name, value]) => `${name}=${value}`).join("; "));
    const res = await fetch(url, { ...init, headers, redirect: "manual" });
    for (const line of res.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const eq = pair.indexOf("=");
      cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    return res;
  };
  const verifier = randomBytes(32).toString("base64url");
  const challenge = createHash("sha256").update(verifier).digest("base64url");
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

  let res = await send(`${origin}/oauth2/authorize?${params}`);
  let location = new URL(res.headers.get("location") ?? "", origin);
  if (location.pathname === "/login") {
    res = await send(location.toString());
    const html = await res.text();
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
    const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
    if (!action || !csrf) throw new Error("no sign-in form on the login page");
    res = await send(new URL(action.replace(/&amp;/g, "&"), origin).toString(), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        _csrf: csrf,
        username: options.username,
        password: options.password,
      }).toString(),
    });
    location = new URL(res.headers.get("location") ?? "", origin);
  }
  const code = location.searchParams.get("code");
  if (!code || location.searchParams.get("state") !== state)
    throw new Error(`sign-in did not return a code: ${res.status} ${location}`);

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
