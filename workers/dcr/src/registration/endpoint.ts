import { logEvent } from "@mcp-cognito-workers/http";
import type { Context } from "hono";
import { noStore, readJsonBody } from "../http/json";
import type { Wiring } from "../wiring";
import { assertInitialAccessToken, assertWithinRateLimit, audit } from "./abuse";
import { registerClient } from "./register";
import { toRegistrationResponse } from "./response";

/**
 * `POST /register`: rate-limited per source, the initial access token checked when one is
 * configured, counted under the daily caps once the metadata is valid. @see RFC 7591 §3
 */
export function registerHandler(wiring: Wiring) {
  return async (c: Context<{ Bindings: Env }>): Promise<Response> => {
    const { config, context } = wiring.contextOf(c.env, c.req.raw);
    const { key, hash: source } = await wiring.sourceOf(c.req.raw);
    await assertWithinRateLimit(c.env.REGISTER_RATE_LIMITER, key);
    await assertInitialAccessToken(config.initialAccessToken, c.req.header("Authorization"));
    const body = await readJsonBody(c.req.raw);
    // Counted once the metadata is valid (a bad request uses up no one's cap), given back if the
    // client is not made after all.
    const reservation = wiring.reservationFor(c.env, config, source);
    let registered: Awaited<ReturnType<typeof registerClient>>;
    try {
      registered = await registerClient(body, context, { beforeCreate: () => reservation.take() });
    } catch (error) {
      await reservation
        .cancel()
        .catch((cancelError: unknown) =>
          logEvent("error", "reservation_not_cancelled", { error: String(cancelError) }),
        );
      throw error;
    }
    const { record, clientSecret, registrationAccessToken } = registered;
    audit({
      action: "register",
      outcome: "created",
      clientId: record.clientId,
      source,
      clientName: record.metadata.clientName,
      authMethod: record.metadata.tokenEndpointAuthMethod,
      grantTypes: record.metadata.grantTypes,
      scope: record.metadata.scope,
      redirectUris: record.metadata.redirectUris,
    });
    return noStore(
      toRegistrationResponse(record, context.issuer, { clientSecret, registrationAccessToken }),
      201,
    );
  };
}
