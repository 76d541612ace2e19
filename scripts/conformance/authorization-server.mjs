// The conformance suite's authorization-server scenarios against the facade (workers/dcr) in
// front of the Cognito stand-in, both on loopback: the suite reads the facade's metadata, then
// prints an authorization URL for a browser; the sign-in is walked here as a person would (consent,
// managed login) and its final redirect, the suite's callback, is requested so the suite gets the
// code and redeems it.
import { findFreePort } from "@mcp-cognito-workers/test-support/ports";
import { authorizeThroughFrontDoor } from "@mcp-cognito-workers/test-support/sign-in";
import { startFrontDoor } from "@mcp-cognito-workers/test-support/stack";
import { importWrangler, workerConfigPath } from "../lib/wrangler.mjs";
import { runSuiteCli } from "./suite-cli.mjs";
import { findAuthorizationUrl, isCallbackServerListening } from "./suite-output.mjs";

/** The authorization-server scenarios of the pinned suite; both run in one invocation. */
export const AUTHORIZATION_SCENARIOS = [
  "authorization-server-metadata-endpoint",
  "authorization-code-grant",
];
/** Longest wait for the whole suite, sign-in included (it would wait 5 minutes for a browser). */
export const AUTHORIZATION_SUITE_TIMEOUT_MS = 240_000;
/** Longest wait for the suite's callback server to answer the redirect. */
const CALLBACK_TIMEOUT_MS = 15_000;

/** Registers a client at the facade (RFC 7591) and returns the raw response. */
function registrationRequest(issuer, metadata) {
  return fetch(`${issuer}/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(metadata),
  });
}

/** The `client_id` of a successful registration, or an error naming the facade's answer. */
async function processRegistrationResponse(response) {
  const body = await response.json().catch(() => ({}));
  if (response.status !== 201 || typeof body.client_id !== "string")
    throw new Error(
      `the facade refused the registration: ${response.status} ${body.error ?? ""} ${body.error_description ?? ""}`.trim(),
    );
  return body.client_id;
}

/**
 * Walks the suite's authorization URL through the front door as the demo user, and requests
 * the final redirect (the suite's callback) so that the suite receives the code.
 */
async function completeSignIn(authorizationUrl, options) {
  if (!authorizationUrl.startsWith(`${options.issuer}/authorize?`))
    throw new Error(`the suite asked to open ${authorizationUrl}, not the facade's /authorize`);
  const { location } = await authorizeThroughFrontDoor(authorizationUrl, options.user);
  const callback = new URL(options.redirectUri);
  if (location.origin !== callback.origin || location.pathname !== callback.pathname)
    throw new Error(`the sign-in ended at ${location.origin}${location.pathname}, not ${callback}`);
  const response = await fetch(location, { signal: AbortSignal.timeout(CALLBACK_TIMEOUT_MS) });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`the suite's callback answered ${response.status}`);
}

/**
 * Starts cognito-local and dcr on loopback, registers a public client for the suite's callback,
 * and runs the suite's authorization-server scenarios with results in `outputDir`; stops both
 * workers at the end. Throws when the set-up fails; the verdict is in the results.
 * @param {{suitePackage: string, outputDir: string}} options
 */
export async function runAuthorizationSuite(options) {
  const wrangler = await importWrangler();
  const mcpDev = wrangler.unstable_readConfig({ config: workerConfigPath("mcp-rs") }).dev;
  const stops = [];
  try {
    const { standIn, origin: issuer, stop } = await startFrontDoor(wrangler);
    stops.push(stop);
    const callbackPort = await findFreePort();
    const redirectUri = `http://127.0.0.1:${callbackPort}/callback`;
    // Public: the facade advertises "none" among its token endpoint auth methods, and the suite
    // then redeems the code with "none" even when given a secret.
    const clientId = await processRegistrationResponse(
      await registrationRequest(issuer, {
        client_name: "MCP conformance suite",
        redirect_uris: [redirectUri],
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        token_endpoint_auth_method: "none",
      }),
    );
    // The resource the token is for: mcp-rs's URL under `npm run dev` (the stand-in binds tokens
    // only to https or localhost resources; nothing needs to listen there).
    const resource = `http://localhost:${mcpDev.port}/mcp`;
    const user = { username: standIn.vars.DEMO_USERNAME, password: standIn.vars.DEMO_PASSWORD };
    let signIn;
    await runSuiteCli(
      [
        ...["authorization", "--url", issuer, "--client-id", clientId, "--resource", resource],
        ...["-p", String(callbackPort), "-o", options.outputDir],
      ],
      {
        suitePackage: options.suitePackage,
        label: "authorization",
        timeoutMs: AUTHORIZATION_SUITE_TIMEOUT_MS,
        onOutput: (output, stopSuite) => {
          const url = findAuthorizationUrl(output);
          if (signIn || !url || !isCallbackServerListening(output, callbackPort)) return;
          signIn = completeSignIn(url, { issuer, redirectUri, user }).catch((error) => {
            // Without the callback the suite would wait minutes for a browser.
            console.error(`authorization: the sign-in failed: ${error.message}`);
            stopSuite();
          });
        },
      },
    );
    // The walk ends before the suite can (it waits for the callback); bounded all the same.
    await Promise.race([
      signIn,
      new Promise((resolve) => setTimeout(resolve, CALLBACK_TIMEOUT_MS).unref()),
    ]);
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {});
  }
}
