import { createHash, randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import {
  type StartLocalWorkerOptions,
  startLocalWorker,
} from "../../cognito-local/test-wire/stand-in";

const DCR_CONFIG = fileURLToPath(new URL("../wrangler.toml", import.meta.url));

/** Starts workers/dcr on a free loopback port, its variables overridden by `vars`. */
export function startDcr(options: StartLocalWorkerOptions = {}) {
  return startLocalWorker(DCR_CONFIG, options);
}

/** A PKCE pair (RFC 7636, S256). */
export function pkce() {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

/** Cookies of one browser, fed from Set-Cookie. */
class CookieJar {
  private readonly cookies = new Map<string, string>();
  store(response: Response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const eq = pair.indexOf("=");
      this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  }
  header() {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }
}

/** Options of {@link signInWithPkce}. */
export interface SignInOptions {
  authorizationEndpoint: string;
  clientId: string;
  redirectUri: string;
  scope: string;
  username: string;
  password: string;
}

/**
 * The browser part of the code flow against managed login: authorize → login form (`_csrf`,
 * `username`, `password`) → redirect with the code. Returns the code and the PKCE verifier.
 */
export async function signInWithPkce(options: SignInOptions) {
  const jar = new CookieJar();
  const { verifier, challenge } = pkce();
  const state = randomBytes(16).toString("base64url");
  const authorize = new URL(options.authorizationEndpoint);
  authorize.search = new URLSearchParams({
    response_type: "code",
    client_id: options.clientId,
    redirect_uri: options.redirectUri,
    scope: options.scope,
    state,
    code_challenge: challenge,
    code_challenge_method: "S256",
  }).toString();
  const get = async (url: string) => {
    const response = await fetch(url, { redirect: "manual", headers: { cookie: jar.header() } });
    jar.store(response);
    return response;
  };
  let response = await get(authorize.toString());
  if (response.status !== 302) throw new Error(`authorize answered ${response.status}`);
  let location = new URL(response.headers.get("location") ?? "", authorize);
  if (location.pathname === "/login") {
    response = await get(location.toString());
    const html = await response.text();
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1]?.replace(/&amp;/g, "&");
    const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
    if (!action || !csrf) throw new Error("no sign-in form on the login page");
    response = await fetch(new URL(action, location), {
      method: "POST",
      redirect: "manual",
      headers: { cookie: jar.header(), "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        _csrf: csrf,
        username: options.username,
        password: options.password,
      }).toString(),
    });
    jar.store(response);
    if (response.status !== 302) throw new Error(`login answered ${response.status}`);
    location = new URL(response.headers.get("location") ?? "");
  }
  if (!location.toString().startsWith(options.redirectUri))
    throw new Error(`unexpected redirect to ${location}`);
  if (location.searchParams.get("state") !== state) throw new Error("state came back changed");
  const code = location.searchParams.get("code");
  if (!code) throw new Error(`no code in ${location}`);
  return { code, verifier };
}
