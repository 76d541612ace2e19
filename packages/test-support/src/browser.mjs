// One browser: its cookies, and its walk through a sign-in as a person walks it (the front door's
// consent page, Cognito's managed login, the redirects between them). No Node imports: unit tests
// inside workerd use it too, with their worker's fetch.

/** The cookies of one browser, fed from Set-Cookie (a cookie with Max-Age=0 is removed). */
export class CookieJar {
  cookies = new Map();
  #fetch;

  /**
   * `fetch` sends its requests (the global one when absent; a unit test passes its worker's).
   * @param {{fetch?: (url: string, init: RequestInit) => Promise<Response>}} [options]
   */
  constructor(options = {}) {
    this.#fetch = options.fetch ?? ((url, init) => fetch(url, init));
  }

  /** Stores the cookies a response sets. */
  store(response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      if (/;\s*max-age=0\b/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(eq + 1).trim());
    }
  }

  /** The Cookie header for a request. */
  header() {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  /** Sends a request with this browser's cookies, not following redirects. */
  async send(url, init = {}) {
    const headers = new Headers(init.headers);
    const cookie = this.header();
    if (cookie) headers.set("cookie", cookie);
    const response = await this.#fetch(url, { ...init, headers, redirect: "manual" });
    this.store(response);
    return response;
  }
}

const decode = (value) =>
  value
    .replace(/&amp;/g, "&")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'");

/**
 * Follows an authorization URL as a person in a browser would: the front door's consent page
 * (answered with `decision`), Cognito's managed login (`username`, `password`), Cognito's redirect
 * to the front door's callback, and on to the client. Stops at the first redirect that leaves the
 * URL's origin and Cognito, and returns it with what was seen on the way. Given a managed-login
 * authorization URL, it walks the managed login alone.
 */
export async function authorizeThroughFrontDoor(authorizationUrl, options) {
  const jar = options.jar ?? new CookieJar();
  const decision = options.decision ?? "approve";
  const frontDoor = new URL(authorizationUrl).origin;
  const known = new Set([frontDoor, ...(options.cognitoOrigins ?? [])]);
  const seen = { consentShown: false, loginShown: false, steps: [] };
  let url = authorizationUrl;
  let init = {};
  for (let hop = 0; hop < 20; hop++) {
    // Extra headers go to the front door only (e.g. the address a request comes from).
    const extra = new URL(url).origin === frontDoor ? (options.headers ?? {}) : {};
    const response = await jar.send(url, { ...init, headers: { ...init.headers, ...extra } });
    seen.steps.push(
      `${init.method ?? "GET"} ${new URL(url).origin}${new URL(url).pathname} ${response.status}`,
    );
    init = {};
    if (response.status === 302 || response.status === 303) {
      const next = new URL(response.headers.get("location") ?? "", url);
      // The front door sends the person to Cognito: from then on its origin is known too.
      if (new URL(url).origin === frontDoor && next.pathname.endsWith("/oauth2/authorize"))
        known.add(next.origin);
      if (!known.has(next.origin)) return { location: next, jar, ...seen };
      url = next.href;
      continue;
    }
    const html = response.status === 200 ? await response.text() : "";
    const transaction = /name="transaction" value="([^"]+)"/.exec(html)?.[1];
    if (transaction) {
      seen.consentShown = true;
      seen.consentPage = html;
      url = new URL("/authorize/decision", frontDoor).href;
      init = {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", origin: frontDoor },
        body: new URLSearchParams({ transaction: decode(transaction), decision }).toString(),
      };
      continue;
    }
    const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
    if (csrf && action) {
      seen.loginShown = true;
      url = new URL(decode(action), url).href;
      init = {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          _csrf: csrf,
          username: options.username,
          password: options.password,
        }).toString(),
      };
      continue;
    }
    const error = new Error(
      `the sign-in stopped at ${url}: ${response.status} ${html.slice(0, 300)}`,
    );
    error.status = response.status;
    error.body = html;
    throw error;
  }
  throw new Error("the sign-in did not end within 20 redirects");
}
