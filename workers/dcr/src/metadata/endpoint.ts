import type { Context } from "hono";
import type { Wiring } from "../wiring";
import type { CognitoDiscovery } from "./discovery";
import { buildAuthorizationServerMetadata } from "./metadata";

/**
 * `GET /.well-known/oauth-authorization-server` (and `openid-configuration`): this worker's
 * metadata, from Cognito's discovery document. @see RFC 8414 §3
 */
export function metadataHandler(wiring: Wiring) {
  return async (c: Context<{ Bindings: Env }>): Promise<Response> => {
    const { config, context } = wiring.contextOf(c.env, c.req.raw);
    const discovery: CognitoDiscovery = await wiring.getDiscovery(config.cognito.issuer);
    return Response.json(
      buildAuthorizationServerMetadata(discovery, context.issuer, config.policy, {
        cimdEnabled: config.frontDoor.cimdEnabled,
      }),
      {
        headers: { "Cache-Control": "public, max-age=300" },
      },
    );
  };
}
