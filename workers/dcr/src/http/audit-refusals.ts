import { isJsonObject } from "@mcp-cognito-workers/http";
import { createMiddleware } from "hono/factory";
import { audit } from "../registration/abuse";
import { isClientIdShape } from "../registration/secrets";

/** Longest `error_description` an audit line quotes (a description may echo a redirect URI). */
export const MAX_AUDITED_DESCRIPTION_LENGTH = 200;

/** Options of {@link auditRefusals}. */
export interface AuditRefusalsOptions {
  /** The hash of a request's source (`hashSource` of its `sourceKey`), as the other lines name it. */
  sourceOf: (request: Request) => Promise<{ hash: string }>;
}

/** The audit action of a request to `/register` or `/register/<client_id>`. */
function actionOf(method: string, clientId: string | undefined): string {
  if (clientId === undefined) return "register";
  if (method === "GET") return "read";
  if (method === "PUT") return "update";
  if (method === "DELETE") return "delete";
  return "manage";
}

/** The `error` and `error_description` of an error response, as the client received them. */
async function readErrorBody(
  response: Response,
): Promise<{ error?: string; description?: string }> {
  try {
    const body: unknown = await response.clone().json();
    if (!isJsonObject(body)) return {};
    const { error, error_description: description } = body;
    return {
      ...(typeof error === "string" ? { error } : {}),
      ...(typeof description === "string"
        ? { description: description.slice(0, MAX_AUDITED_DESCRIPTION_LENGTH) }
        : {}),
    };
  } catch {
    return {};
  }
}

/**
 * One audit line for every request to the registration endpoints that is not answered with
 * success (RFC 7591 `POST /register`, RFC 7592 `GET`, `PUT`, `DELETE /register/<client_id>`),
 * whatever refused it: a rate limit, the initial access token, a daily cap, invalid metadata, a
 * body too large or not JSON, a wrong registration access token, Cognito. The line names the
 * action, `refused` (4xx) or `failed` (5xx), the status, the error code and description the client
 * received, the hash of the source, and the client id the path names; never the request's body
 * or its `Authorization` header.
 */
export function auditRefusals(options: AuditRefusalsOptions) {
  return createMiddleware<{ Bindings: Env }>(async (c, next) => {
    await next();
    const status = c.res.status;
    if (status < 400) return;
    const requested = c.req.param("clientId");
    const clientId = requested !== undefined && isClientIdShape(requested) ? requested : undefined;
    const [{ error, description }, source] = await Promise.all([
      readErrorBody(c.res),
      options.sourceOf(c.req.raw),
    ]);
    audit({
      action: actionOf(c.req.method, requested),
      outcome: status < 500 ? "refused" : "failed",
      status,
      ...(error !== undefined ? { error } : {}),
      ...(description !== undefined ? { description } : {}),
      source: source.hash,
      ...(clientId !== undefined ? { clientId } : {}),
    });
  });
}
