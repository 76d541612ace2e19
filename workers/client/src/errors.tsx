// Errors become pages here, in one place: a PageError with its own status, the OAuth module's
// refusals, and anything else as a generic 500 (logged, never shown).

import { logEvent } from "@mcp-cognito-workers/http";
import type { Context } from "hono";
import type { AppEnv } from "./app-env";
import { OAuthClientError } from "./oauth";
import { ErrorPage } from "./pages/error";

/** A failure the person is told about on an error page, with a safe title and message. */
export class PageError extends Error {
  override readonly name = "PageError";
  constructor(
    readonly title: string,
    message: string,
    readonly status: 400 | 403 | 502 = 400,
  ) {
    super(message);
  }
}

/** The page an error ends on (the app's `onError`). */
export function renderError(error: Error, c: Context<AppEnv>) {
  const appName = c.var.config?.appName ?? "MCP web client";
  if (error instanceof PageError) {
    return c.html(
      <ErrorPage appName={appName} title={error.title} message={error.message} />,
      error.status,
    );
  }
  if (error instanceof OAuthClientError && error.code === "step_up_limit") {
    return c.html(
      <ErrorPage
        appName={appName}
        title="More access was not granted"
        message={`The MCP server still refuses: ${error.message}.`}
      />,
      403,
    );
  }
  if (error instanceof OAuthClientError) {
    return c.html(
      <ErrorPage appName={appName} title="Discovery failed" message={error.message} />,
      502,
    );
  }
  logEvent("error", "unhandled", { name: error.name, message: error.message });
  return c.html(
    <ErrorPage
      appName={appName}
      title="Something went wrong"
      message="The request failed; try again from the start page."
    />,
    500,
  );
}
