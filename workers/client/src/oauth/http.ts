import { isLoopbackHost } from "@mcp-cognito-workers/http";
import * as oauth from "oauth4webapi";
import { OAuthClientError } from "./errors";

/** One request the client made, as shown in the trace panel: never a secret or a token. */
export interface TraceStep {
  step: string;
  url: string;
  status?: number;
  fields?: Record<string, string>;
}

/** What every networked function of this module accepts: an injected fetch and a trace sink. */
export interface OAuthHttpOptions {
  fetch?: typeof fetch;
  trace?: (step: TraceStep) => void;
}

/** Whether `url` is plain HTTP to a loopback host (local development and tests). */
export function isLoopbackHttp(url: URL): boolean {
  return url.protocol === "http:" && isLoopbackHost(url.hostname);
}

/** Refuses any URL that is neither HTTPS nor HTTP on loopback. */
export function assertSafeUrl(url: URL, what: string): void {
  if (url.protocol !== "https:" && !isLoopbackHttp(url)) {
    throw new OAuthClientError("insecure_url", `${what} must use https (or http on loopback)`);
  }
}

/** oauth4webapi options for a request to `url`: the injected fetch, and http only on loopback. */
export function oauthRequestOptions(url: string | undefined, options: OAuthHttpOptions = {}) {
  return {
    ...(options.fetch ? { [oauth.customFetch]: options.fetch } : {}),
    ...(url && isLoopbackHttp(new URL(url)) ? { [oauth.allowInsecureRequests]: true } : {}),
  };
}

/** GETs a metadata document (JSON, no redirects followed) and records the step. */
export async function getJson(
  step: string,
  url: URL,
  options: OAuthHttpOptions = {},
): Promise<Response> {
  assertSafeUrl(url, step);
  const response = await (options.fetch ?? fetch)(url.href, {
    headers: { accept: "application/json" },
    redirect: "manual",
  });
  options.trace?.({ step, url: url.href, status: response.status });
  return response;
}
