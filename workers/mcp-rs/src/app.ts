import { Hono } from "hono";
import type { AppEnv, AppOptions } from "./app-env";
import { MCP_PATH, PRM_PATH } from "./discovery/protected-resource";
import { RequestError } from "./http/errors";
import { renderError } from "./http/render-error";
import { requestBodyLimit } from "./middleware/body-limit";
import { resourceServerConfig } from "./middleware/config";
import { apiCors, metadataCors } from "./middleware/cors";
import { originGuard } from "./middleware/origin-guard";
import { requestLog } from "./middleware/request-log";
import { tokenCheck } from "./middleware/token-check";
import { handleCreateContext, handleListContexts } from "./routes/contexts";
import { handleMcpOtherMethods, handleMcpPost } from "./routes/mcp";
import {
  handleAuthorizationServerMetadata,
  handleResourceMetadata,
  handleRootResourceMetadata,
} from "./routes/metadata";

export type { AppOptions } from "./app-env";

/**
 * Builds the resource server: the middleware in order, one line a route, and `onError`. Its
 * caches (JWKS, verified tokens, grants, revocations, facade metadata) and its MCP handler live as
 * long as the app.
 */
export function createApp(options: AppOptions = {}) {
  const fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
  const now = options.now ?? Date.now;
  const tokens = tokenCheck({ fetch: fetchFn, now });

  const app = new Hono<AppEnv>();
  app.use(resourceServerConfig());
  app.use(requestLog({ now }));
  app.onError(renderError);
  app.notFound(() => {
    throw new RequestError("not_found", "no such route", 404);
  });

  // Public metadata and the health check: no token, any origin.
  app.use("/.well-known/*", metadataCors());
  app.get(PRM_PATH, handleRootResourceMetadata());
  app.get(`${PRM_PATH}${MCP_PATH}`, handleResourceMetadata());
  app.get(
    "/.well-known/oauth-authorization-server",
    handleAuthorizationServerMetadata({ fetch: fetchFn, now }),
  );
  app.get("/health", (c) => c.json({ status: "ok" }));

  // The protected API: origin, CORS, size, then the token, in this order.
  for (const path of [MCP_PATH, "/v1/*"])
    app.use(path, originGuard(), apiCors(), requestBodyLimit(), tokens);
  app.post(MCP_PATH, handleMcpPost({ now }));
  app.on(["GET", "DELETE"], MCP_PATH, handleMcpOtherMethods());
  app.get("/v1/contexts", handleListContexts());
  app.post("/v1/contexts", handleCreateContext({ now }));

  return app;
}
