import { Hono } from "hono";
import { localRoutes } from "./admin/local-routes";
import { handleIdpRequest } from "./idp/handler";
import { discoveryRoutes } from "./oauth/discovery";
import { managedLoginRoutes } from "./oauth/managed-login";
import { OAuthError } from "./oauth/oauth-error";
import { tokenRoutes } from "./oauth/token-endpoint";
import { userInfoRoutes } from "./oauth/userinfo";
import { describeStandIn, InfoPage } from "./pages/info";
import { PAGE_HEADERS } from "./pages/layout";
import type { PoolServices } from "./pool-services";

/** The stand-in's routes: Cognito's IdP JSON API, discovery, managed login, and local test hooks. */
export function createApp(pool: PoolServices): Hono {
  const app = new Hono();

  // IdP JSON API (cognito-idp.<region>.amazonaws.com).
  app.post("/", (c) => handleIdpRequest(c.req.raw, pool));

  app.get("/", (c) => {
    const info = describeStandIn(pool.settings, pool.template);
    if (c.req.header("accept")?.includes("application/json")) return c.json(info);
    return c.html(<InfoPage info={info} />, 200, PAGE_HEADERS);
  });

  app.route("/", discoveryRoutes(pool));
  app.route("/", managedLoginRoutes(pool));
  app.route("/", tokenRoutes(pool));
  app.route("/", userInfoRoutes(pool));
  app.route("/_local", localRoutes(pool));

  app.notFound((c) => c.json({ error: "not_found", error_description: "No such endpoint." }, 404));
  app.onError((error, c) => {
    if (error instanceof OAuthError) return error.toResponse();
    console.error(JSON.stringify({ level: "error", path: c.req.path, message: String(error) }));
    return c.json({ error: "server_error", error_description: "Internal error." }, 500);
  });
  return app;
}
