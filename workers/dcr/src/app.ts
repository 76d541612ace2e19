// The route table: which handler serves which path, in order, and the one place errors become
// responses. The handlers live by role: `front-door/`, `registration/` (RFC 7591),
// `management/` (RFC 7592), `metadata/` (RFC 8414); `wiring.ts` builds what they share.
import { requireSecrets } from "@mcp-cognito-workers/http";
import { Hono } from "hono";
import { authorizeHandler } from "./front-door/authorize";
import { callbackHandler } from "./front-door/callback";
import { decisionHandler } from "./front-door/decision";
import { STYLESHEET_PATH, serveStylesheet } from "./front-door/pages";
import { revokeHandler } from "./front-door/revoke";
import { tokenHandler } from "./front-door/token";
import { auditRefusals } from "./http/audit-refusals";
import { browserCors, CORS_PATHS } from "./http/cors";
import { errorResponse, notFound } from "./http/errors";
import { REQUIRED_SECRETS } from "./http/require-secrets";
import { deleteHandler, readHandler, updateHandler } from "./management/endpoints";
import { metadataHandler } from "./metadata/endpoint";
import { scheduledHandler } from "./reconcile/scheduled";
import { registerHandler } from "./registration/endpoint";
import { type AppDependencies, createWiring } from "./wiring";

export type { AppDependencies } from "./wiring";

/** The facade's HTTP surface (metadata, front door, registration) and its daily reconciliation. */
export function createApp(deps: AppDependencies = {}) {
  const wiring = createWiring(deps);
  const frontDoor = wiring.frontDoor;
  const app = new Hono<{ Bindings: Env }>();

  for (const path of CORS_PATHS) app.use(path, browserCors);
  app.use(requireSecrets(REQUIRED_SECRETS));

  // The front door: consent, the callback relay, and the token and revocation relays.
  app.get(STYLESHEET_PATH, serveStylesheet);
  app.get("/authorize", authorizeHandler(frontDoor));
  app.post("/authorize/decision", decisionHandler(frontDoor));
  app.get("/callback", callbackHandler(frontDoor));
  app.post("/token", tokenHandler(frontDoor));
  app.post("/revoke", revokeHandler(frontDoor));

  // RFC 8414 metadata, under both names clients look for.
  app.get("/.well-known/oauth-authorization-server", metadataHandler(wiring));
  app.get("/.well-known/openid-configuration", metadataHandler(wiring));

  // Every refusal of the registration endpoints is audited here, whatever refused it.
  for (const path of ["/register", "/register/:clientId"])
    app.use(path, auditRefusals({ sourceOf: wiring.sourceOf }));
  app.post("/register", registerHandler(wiring));
  app.get("/register/:clientId", readHandler(wiring));
  app.put("/register/:clientId", updateHandler(wiring));
  app.delete("/register/:clientId", deleteHandler(wiring));

  app.notFound(notFound);
  app.onError(errorResponse);

  return {
    fetch: app.fetch,
    scheduled: scheduledHandler(wiring),
  } satisfies ExportedHandler<Env>;
}
