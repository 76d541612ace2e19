import { requireSecrets, stylesheetResponse } from "@mcp-cognito-workers/http";
import { Hono } from "hono";
import type { AppDeps, AppEnv, AppOptions } from "./app-env";
import { renderError } from "./errors";
import { handleAction, handleRefresh } from "./flows/actions";
import { handleCallback } from "./flows/callback";
import { createFormActionOrigins } from "./flows/form-action-origins";
import { handleLogout } from "./flows/logout";
import { CLIENT_METADATA_PATH } from "./flows/servers";
import { handleSignIn } from "./flows/sign-in";
import { clientConfig } from "./middleware/config";
import { csrfCheck } from "./middleware/csrf";
import { REQUIRED_SECRETS } from "./middleware/require-secrets";
import { securityHeaders } from "./middleware/security-headers";
import { browserSession } from "./middleware/session";
import { STYLESHEET, STYLESHEET_PATH } from "./pages/layout";
import { handleClientMetadata } from "./routes/client-metadata";
import { handleHome } from "./routes/home";

export type { AppOptions } from "./app-env";

/** The web client's routes. */
export function createApp(options: AppOptions = {}) {
  const net = options.fetch ? { fetch: options.fetch } : {};
  const now = options.now ?? Date.now;
  const deps: AppDeps = { net, now, formActionOrigins: createFormActionOrigins({ net, now }) };
  const session = browserSession();
  const csrf = csrfCheck();

  const app = new Hono<AppEnv>();
  app.use(requireSecrets(REQUIRED_SECRETS));
  app.use(clientConfig());
  app.use(securityHeaders());

  app.get(STYLESHEET_PATH, () => stylesheetResponse(STYLESHEET));
  app.get(CLIENT_METADATA_PATH, handleClientMetadata());
  app.get("/", session, handleHome(deps));
  app.post("/login/:flow", session, csrf, handleSignIn(deps));
  app.get("/callback", handleCallback(deps));
  app.post("/mcp/:flow/refresh", session, csrf, handleRefresh(deps));
  app.post("/mcp/:flow/:action", session, csrf, handleAction(deps));
  app.post("/logout", session, csrf, handleLogout(deps));
  app.onError(renderError);

  return app;
}
