import { logEvent, OAuthError, stylesheetResponse } from "@mcp-cognito-workers/http";
import { type Context, Hono } from "hono";
import { localRoutes } from "./admin/local-routes";
import { handleIdpRequest } from "./idp/handler";
import { discoveryRoutes } from "./oauth/discovery";
import { managedLoginRoutes } from "./oauth/managed-login";
import { NO_STORE } from "./oauth/no-store";
import { tokenRoutes } from "./oauth/token-endpoint";
import { userInfoRoutes } from "./oauth/userinfo";
import { describeStandIn, InfoPage } from "./pages/info";
import { PAGE_HEADERS, STYLESHEET, STYLESHEET_PATH } from "./pages/layout";
import type { PoolServices } from "./pool-services";

/**
 * The stand-in's routes on Cognito's two hosts, told apart by the host a request names: the IdP
 * host (`PUBLIC_ORIGIN`) and the managed-login domain (`LOGIN_ORIGIN`). Each answers only its
 * own paths, so a login URL built on the issuer's host gets 404, as from Cognito.
 */
export function createApp(pool: PoolServices): Hono {
  const { publicOrigin, loginOrigin } = pool.config;
  // Each host serves the stylesheet of its own pages: their CSP allows `style-src 'self'` only.
  const serveStylesheet = () => stylesheetResponse(STYLESHEET);

  // cognito-idp.<region>.amazonaws.com: the IdP JSON API, the issuer's discovery and JWKS, and
  // (not Cognito's) the info page and the local test hooks.
  const idpHost = newHost();
  idpHost.post("/", (c) => handleIdpRequest(c.req.raw, pool));
  idpHost.get("/", (c) => {
    const info = describeStandIn(pool.config, pool.template);
    if (c.req.header("accept")?.includes("application/json")) return c.json(info);
    return c.html(<InfoPage info={info} />, 200, PAGE_HEADERS);
  });
  idpHost.get(STYLESHEET_PATH, serveStylesheet);
  idpHost.route("/", discoveryRoutes(pool));
  idpHost.route("/_local", localRoutes(pool));

  // <prefix>.auth.<region>.amazoncognito.com: managed login (and its cookies), token, userInfo, revoke.
  const loginHost = newHost();
  loginHost.get(STYLESHEET_PATH, serveStylesheet);
  loginHost.route("/", managedLoginRoutes(pool));
  loginHost.route("/", tokenRoutes(pool));
  loginHost.route("/", userInfoRoutes(pool));

  const hosts = new Map([
    [new URL(publicOrigin).host, idpHost],
    [new URL(loginOrigin).host, loginHost],
  ]);
  const app = new Hono();
  app.all("*", (c) => {
    const host = hosts.get(new URL(c.req.url).host);
    if (host !== undefined) return host.fetch(c.req.raw);
    return notFound(
      c,
      `This stand-in serves ${publicOrigin} (IdP API, issuer) and ${loginOrigin} (managed login) only.`,
    );
  });
  return app;
}

/** A host's route table, with the stand-in's 404 and error answers. */
function newHost(): Hono {
  const host = new Hono();
  host.notFound((c) => notFound(c, "No such endpoint."));
  host.onError((error, c) => {
    if (error instanceof OAuthError) return error.toResponse(NO_STORE);
    logEvent("error", "unhandled", { path: c.req.path, message: String(error) });
    return c.json({ error: "server_error", error_description: "Internal error." }, 500);
  });
  return host;
}

function notFound(c: Context, description: string): Response {
  return c.json({ error: "not_found", error_description: description }, 404);
}
