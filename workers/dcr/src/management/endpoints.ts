// RFC 7592 at the `registration_client_uri` (`/register/<client_id>`): read, replace, delete.
import type { Context } from "hono";
import { noStore, readJsonBody } from "../http/json";
import { assertWithinManagementRateLimit, audit } from "../registration/abuse";
import type { Wiring } from "../wiring";
import { authenticateRegistration } from "./authenticate";
import { deleteClient } from "./delete";
import { readClient } from "./read";
import { updateClient } from "./update";

type AppContext = Context<{ Bindings: Env }>;

/** An RFC 7592 request: authenticated by its token, then limited per client. @see RFC 7592 §3 */
async function managed(wiring: Wiring, c: AppContext) {
  const { context } = wiring.contextOf(c.env, c.req.raw);
  const record = await authenticateRegistration(
    c.req.param("clientId") ?? "",
    c.req.header("Authorization"),
    context,
  );
  await assertWithinManagementRateLimit(c.env.MANAGE_RATE_LIMITER, record.clientId);
  return { context, record };
}

/** `GET /register/<client_id>`: the registration. @see RFC 7592 §2.1 */
export function readHandler(wiring: Wiring) {
  return async (c: AppContext): Promise<Response> => {
    const { context, record } = await managed(wiring, c);
    return noStore(await readClient(record, context), 200);
  };
}

/** `PUT /register/<client_id>`: the registration replaced. @see RFC 7592 §2.2 */
export function updateHandler(wiring: Wiring) {
  return async (c: AppContext): Promise<Response> => {
    const { context, record } = await managed(wiring, c);
    const body = await readJsonBody(c.req.raw);
    const response = await updateClient(record, body, context);
    audit({
      action: "update",
      clientId: record.clientId,
      scope: response.scope,
      redirectUris: response.redirect_uris,
    });
    return noStore(response, 200);
  };
}

/** `DELETE /register/<client_id>`: the registration deleted. @see RFC 7592 §2.3 */
export function deleteHandler(wiring: Wiring) {
  return async (c: AppContext): Promise<Response> => {
    const { context, record } = await managed(wiring, c);
    await deleteClient(record, context);
    audit({ action: "delete", clientId: record.clientId, reason: "RFC 7592" });
    return new Response(null, { status: 204, headers: { "Cache-Control": "no-store" } });
  };
}
