/**
 * Command-line MCP client for the conformance suite's client scenarios, built on the web client's
 * own MCP client (src/mcp/call.ts, the MCP SDK 2.x client) and OAuth module (src/oauth/):
 * `node workers/client/conformance/adapter.mjs [--client-metadata-url <url>] <server URL>`.
 *
 * It reads MCP_CONFORMANCE_PROTOCOL_VERSION (2026-07-28: the revision where the server offers it,
 * else `initialize`; an earlier one: the `initialize` handshake) and MCP_CONFORMANCE_CONTEXT, and
 * uses the server as a client would: lists its tools and calls each (those the context names, with
 * its arguments, else every listed one with arguments built from its input schema), reads its
 * resources and gets its prompts, and answers an elicitation by accepting. On a 401 it follows the
 * challenge (PRM → AS metadata → pre-registered credentials from the context, else its Client ID
 * Metadata Document URL where the server supports CIMD, else DCR) and signs in headlessly (the
 * authorization URL is fetched with `redirect: "manual"` and the code taken from `Location`); on a
 * 403 `insufficient_scope` it steps up (at most twice); on a 401 with a token it discovers again
 * and, when the authorization server changed, registers and signs in there.
 */
import { discoverFromChallenge, planStepUp } from "../src/oauth";
import { authorize, signIn } from "./authorize";
import { describeError, net } from "./net";
import { serverUrl } from "./options";
import { useServer } from "./use-server";

/** How many times the server may refuse a token (step-up, new authorization server) in one run. */
const MAX_REAUTHORIZATIONS = 3;

async function main() {
  // Use the server as is first: some answer without a token and challenge later.
  const first = await useServer();
  if (!first) return;
  let session = await authorize(await discoverFromChallenge(serverUrl, first.challenge, net));
  for (let refusals = 0; ; refusals++) {
    const refusal = await useServer(session.tokens.accessToken);
    if (!refusal) return;
    if (refusals >= MAX_REAUTHORIZATIONS) {
      throw new Error(`the server still refuses after ${refusals} new authorizations`);
    }
    const { status, challenge } = refusal;
    if (status === 403 && challenge.error === "insufficient_scope") {
      session.stepUp = planStepUp(session.stepUp, challenge.scope, { maxAttempts: 2 });
      session.tokens = await signIn(session);
      continue;
    }
    // A token refused: the resource may have moved to another authorization server (whose
    // issuer keys its own registration), so discover again.
    const discovered = await discoverFromChallenge(serverUrl, challenge, net);
    if (status !== 401 || discovered.authorizationServer.issuer === session.as.issuer) {
      throw new Error(`the server refused the token (${challenge.error ?? `HTTP ${status}`})`);
    }
    session = await authorize(discovered);
  }
}

main().catch((error: unknown) => {
  console.error(describeError(error));
  process.exit(1);
});
