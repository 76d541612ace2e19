import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  browserGet,
  browserPost,
  CookieJar,
  idp,
  LOGIN_ORIGIN,
  ORIGIN,
  POOL_ID,
  pkce,
  readLoginForm,
  STATIC_CLIENT,
  STATIC_REDIRECT,
} from "./support";

async function authorizeQuery(): Promise<URLSearchParams> {
  const { challenge } = await pkce();
  return new URLSearchParams({
    response_type: "code",
    client_id: STATIC_CLIENT.id,
    redirect_uri: STATIC_REDIRECT,
    scope: "openid",
    code_challenge: challenge,
    code_challenge_method: "S256",
  });
}

/** The new-password page, reached as a user with a temporary password who signs in. */
async function newPasswordPage(): Promise<{ url: string; response: Response }> {
  const username = `css-${crypto.randomUUID().slice(0, 8)}`;
  const created = await idp("AdminCreateUser", {
    UserPoolId: POOL_ID,
    Username: username,
    TemporaryPassword: "Temp-Passw0rd!",
    MessageAction: "SUPPRESS",
  });
  expect(created.status).toBe(200);
  const jar = new CookieJar();
  const login = await browserGet(`${LOGIN_ORIGIN}/login?${await authorizeQuery()}`, jar);
  const form = readLoginForm(await login.text());
  const url = new URL(form.action, LOGIN_ORIGIN).toString();
  const response = await browserPost(url, jar, {
    _csrf: form.csrf,
    username,
    password: "Temp-Passw0rd!",
  });
  return { url, response };
}

/** Each HTML page of the stand-in, on the host that serves it. */
const PAGES: { name: string; open(): Promise<{ url: string; response: Response }> }[] = [
  {
    name: "the info page (IdP host)",
    open: async () => ({ url: `${ORIGIN}/`, response: await SELF.fetch(`${ORIGIN}/`) }),
  },
  {
    name: "the sign-in page (managed-login host)",
    open: async () => {
      const url = `${LOGIN_ORIGIN}/login?${await authorizeQuery()}`;
      return { url, response: await SELF.fetch(url) };
    },
  },
  { name: "the new-password page (managed-login host)", open: newPasswordPage },
  {
    name: "the error page (managed-login host)",
    open: async () => {
      const url = `${LOGIN_ORIGIN}/login?client_id=unknown-client`;
      return { url, response: await SELF.fetch(url) };
    },
  },
];

describe("CSP style-src 'self': every page's CSS is a file served on the page's own origin", () => {
  for (const page of PAGES) {
    it(page.name, async () => {
      const { url, response } = await page.open();
      expect(response.headers.get("content-type")).toMatch(/^text\/html/);
      const csp = response.headers.get("content-security-policy") ?? "";
      expect(csp.split("; ")).toContain("style-src 'self'");
      expect(csp).not.toContain("unsafe-inline");
      const html = await response.text();
      expect(html).not.toMatch(/<style|\sstyle=/i);
      expect(html).toMatch(/^<!doctype html>/);

      const links = [...html.matchAll(/<link rel="stylesheet" href="([^"]+)"/g)];
      expect(links).toHaveLength(1);
      const stylesheet = new URL(links[0]?.[1] ?? "", url);
      expect(stylesheet.origin).toBe(new URL(url).origin);
      const css = await SELF.fetch(stylesheet);
      expect(css.status).toBe(200);
      expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
      expect(css.headers.get("x-content-type-options")).toBe("nosniff");
      expect(css.headers.get("cache-control")).toMatch(/^public, max-age=\d+$/);
      // The rules the page's markup needs are in the file it links.
      const rules = await css.text();
      const classes = new Set(
        [...html.matchAll(/class="([^"]+)"/g)].flatMap((m) => m[1]?.split(" ") ?? []),
      );
      expect(classes.size).toBeGreaterThan(0);
      for (const name of classes) expect(rules, name).toContain(`.${name}`);
    });
  }

  it("serves the one stylesheet on both hosts", async () => {
    const [idpCss, loginCss] = await Promise.all(
      [ORIGIN, LOGIN_ORIGIN].map(async (origin) =>
        (await SELF.fetch(`${origin}/style.css`)).text(),
      ),
    );
    expect(idpCss).toContain(".card");
    expect(loginCss).toBe(idpCss);
  });
});
