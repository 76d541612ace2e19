import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { signedRequest } from "./idp-helpers";
import { ISSUER, LOGIN_ORIGIN, ORIGIN, POOL_ID, STATIC_CLIENT, STATIC_REDIRECT } from "./support";

/** A request to one of the stand-in's paths, sent to whichever origin a test names. */
interface HostRequest {
  name: string;
  /** Builds the request for `origin`. */
  build(origin: string): Request | Promise<Request>;
  /** What it answers on its own host (anything but 404). */
  status: number;
}

const authorizeQuery = new URLSearchParams({
  response_type: "code",
  client_id: STATIC_CLIENT.id,
  redirect_uri: STATIC_REDIRECT,
  scope: "openid",
  code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
  code_challenge_method: "S256",
});
const form = (fields: Record<string, string>) => ({
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams(fields).toString(),
});
const json = (body: object) => ({
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

/** The managed-login domain's paths: `<prefix>.auth.<region>.amazoncognito.com`. */
const MANAGED_LOGIN: HostRequest[] = [
  {
    name: "GET /oauth2/authorize",
    build: (o) => new Request(`${o}/oauth2/authorize?${authorizeQuery}`, { redirect: "manual" }),
    status: 302,
  },
  { name: "GET /login", build: (o) => new Request(`${o}/login?${authorizeQuery}`), status: 200 },
  {
    name: "POST /login",
    build: (o) => new Request(`${o}/login?${authorizeQuery}`, form({ username: "demo" })),
    status: 403,
  },
  {
    name: "GET /logout",
    build: (o) =>
      new Request(
        `${o}/logout?${new URLSearchParams({ client_id: STATIC_CLIENT.id, logout_uri: "http://localhost:3000/" })}`,
        { redirect: "manual" },
      ),
    status: 302,
  },
  {
    name: "POST /oauth2/token",
    build: (o) => new Request(`${o}/oauth2/token`, form({ grant_type: "authorization_code" })),
    status: 400,
  },
  { name: "GET /oauth2/userInfo", build: (o) => new Request(`${o}/oauth2/userInfo`), status: 401 },
  {
    name: "POST /oauth2/userInfo",
    build: (o) => new Request(`${o}/oauth2/userInfo`, { method: "POST" }),
    status: 401,
  },
  {
    name: "POST /oauth2/revoke",
    build: (o) => new Request(`${o}/oauth2/revoke`, form({ token: "x" })),
    status: 400,
  },
];

/** The IdP host's paths: `cognito-idp.<region>.amazonaws.com`, and the stand-in's own pages. */
const IDP_HOST: HostRequest[] = [
  {
    name: "POST / (IdP API, signed for that host)",
    build: (o) => signedRequest("DescribeUserPool", { UserPoolId: POOL_ID }, { url: `${o}/` }),
    status: 200,
  },
  {
    name: "GET /<poolId>/.well-known/openid-configuration",
    build: (o) => new Request(`${o}/${POOL_ID}/.well-known/openid-configuration`),
    status: 200,
  },
  {
    name: "GET /<poolId>/.well-known/jwks.json",
    build: (o) => new Request(`${o}/${POOL_ID}/.well-known/jwks.json`),
    status: 200,
  },
  { name: "GET / (info page)", build: (o) => new Request(`${o}/`), status: 200 },
  { name: "GET /_local/settings", build: (o) => new Request(`${o}/_local/settings`), status: 200 },
  { name: "GET /_local/stats", build: (o) => new Request(`${o}/_local/stats`), status: 200 },
  {
    name: "POST /_local/settings",
    build: (o) => new Request(`${o}/_local/settings`, json({})),
    status: 200,
  },
  {
    name: "POST /_local/keys/rotate",
    build: (o) => new Request(`${o}/_local/keys/rotate`, json({})),
    status: 200,
  },
];

async function expectNotFound(response: Response): Promise<void> {
  expect(response.status).toBe(404);
  expect(await response.json()).toMatchObject({ error: "not_found" });
  expect(response.headers.getSetCookie()).toEqual([]);
}

describe("Cognito's two hosts: the managed-login domain is not the issuer's host", () => {
  it("the two origins are different hosts, and discovery names each endpoint on its own", async () => {
    expect(new URL(LOGIN_ORIGIN).host).not.toBe(new URL(ORIGIN).host);
    const doc = (await (
      await SELF.fetch(`${ISSUER}/.well-known/openid-configuration`)
    ).json()) as Record<string, string>;
    for (const endpoint of [
      "authorization_endpoint",
      "token_endpoint",
      "userinfo_endpoint",
      "revocation_endpoint",
      "end_session_endpoint",
    ]) {
      expect(new URL(doc[endpoint] ?? "").origin, endpoint).toBe(LOGIN_ORIGIN);
    }
    expect(new URL(doc.issuer ?? "").origin).toBe(ORIGIN);
    expect(new URL(doc.jwks_uri ?? "").origin).toBe(ORIGIN);
  });

  it.each(MANAGED_LOGIN)("$name answers on the managed-login origin only", async (request) => {
    const own = await SELF.fetch(await request.build(LOGIN_ORIGIN));
    expect(own.status).toBe(request.status);
    await own.body?.cancel();
    // A URL derived from the issuer's host, as code that rebuilds it would write it.
    await expectNotFound(await SELF.fetch(await request.build(ORIGIN)));
  });

  it.each(IDP_HOST)("$name answers on the IdP origin only", async (request) => {
    const own = await SELF.fetch(await request.build(ORIGIN));
    expect(own.status).toBe(request.status);
    expect(own.headers.getSetCookie()).toEqual([]);
    await own.body?.cancel();
    await expectNotFound(await SELF.fetch(await request.build(LOGIN_ORIGIN)));
  });

  it("the sign-in cookies come from the managed-login origin", async () => {
    const login = await SELF.fetch(`${LOGIN_ORIGIN}/login?${authorizeQuery}`);
    await login.body?.cancel();
    expect(login.headers.getSetCookie().map((line) => line.split("=")[0])).toEqual(["XSRF-TOKEN"]);
  });

  it("a host that is neither answers 404 for every path, naming the two origins", async () => {
    for (const request of [...MANAGED_LOGIN, ...IDP_HOST]) {
      const response = await SELF.fetch(await request.build("http://127.0.0.2:9229"));
      expect(response.status, request.name).toBe(404);
      const body = (await response.json()) as { error_description: string };
      expect(body.error_description).toContain(ORIGIN);
      expect(body.error_description).toContain(LOGIN_ORIGIN);
    }
  });
});
