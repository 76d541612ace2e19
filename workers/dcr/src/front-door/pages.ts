// The front door's HTML: the consent page and the error page. Every client-supplied value is
// escaped by hono's `html` template; pages load no script and cannot be framed.
import { stylesheetResponse } from "@mcp-cognito-workers/http";
import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import { isLoopbackRedirect } from "./redirect-match";

/** The stylesheet the pages link to (served at {@link STYLESHEET_PATH}). */
export const STYLESHEET = `:root{color-scheme:light dark;--accent:#0b63ce;--muted:#667085;--border:#d0d5dd;--bg:#f6f7f9;--card:#fff;--warn:#b54708}
@media (prefers-color-scheme:dark){:root{--border:#3b4250;--bg:#12151b;--card:#1b1f27;--muted:#98a2b3;--accent:#5ea2ff;--warn:#fdb022}}
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;background:var(--bg)}
main{max-width:32rem;margin:3rem auto;padding:0 1rem}.card{background:var(--card);border:1px solid var(--border);border-radius:12px;padding:1.5rem 1.75rem}
h1{font-size:1.35rem;margin:0 0 1rem}ul{padding-left:1.2rem}li{margin:.25rem 0}.muted{color:var(--muted);font-size:.9rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.35rem 1rem;margin:1rem 0}dt{color:var(--muted)}dd{margin:0;overflow-wrap:anywhere}
.warn{color:var(--warn);border:1px solid var(--warn);border-radius:8px;padding:.6rem .8rem;margin:1rem 0}
.actions{display:flex;gap:.75rem;margin-top:1.5rem}button{flex:1;padding:.7rem;font:inherit;font-weight:600;border-radius:8px;cursor:pointer}
button.approve{color:#fff;background:var(--accent);border:0}button.deny{color:inherit;background:transparent;border:1px solid var(--border)}
code{font:.9em ui-monospace,SFMono-Regular,Menlo,monospace}`;

/** Where the stylesheet is served. */
export const STYLESHEET_PATH = "/front-door.css";

/** The stylesheet, as served at {@link STYLESHEET_PATH}. */
export function serveStylesheet(): Response {
  return stylesheetResponse(STYLESHEET);
}

/** Headers of every page; `formAction` lists where the consent form may lead (CSP follows redirects). */
export function pageHeaders(formAction: string[] = []): Record<string, string> {
  return {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": [
      "default-src 'none'",
      "style-src 'self'",
      `form-action 'self'${formAction.map((source) => ` ${source}`).join("")}`,
      "frame-ancestors 'none'",
      "base-uri 'none'",
    ].join("; "),
    "X-Frame-Options": "DENY",
    // Not no-referrer: under it a browser sends `Origin: null` with the consent form's POST,
    // which /authorize/decision refuses as another site's (Fetch §3.1, origin serialization).
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
  };
}

function layout(title: string, body: HtmlEscapedString | Promise<HtmlEscapedString>) {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title><link rel="stylesheet" href="${STYLESHEET_PATH}"></head>
<body><main>${body}</main></body></html>`;
}

/** An error page for a request that cannot go back to a client. */
export function renderErrorPage(message: string) {
  return layout(
    "Sign-in cannot continue",
    html`<div class="card" role="alert"><h1>This sign-in cannot continue</h1><p>${message}</p>
<p class="muted">Go back to the application you came from and start again.</p></div>`,
  );
}

/** A scope in plain words. */
export function describeScope(scope: string): string {
  switch (scope) {
    case "openid":
      return "Know who you are (your user ID)";
    case "email":
      return "See your email address";
    case "profile":
      return "See your profile (name and username)";
    case "phone":
      return "See your phone number";
    case "aws.cognito.signin.user.admin":
      return "Manage your account's attributes";
  }
  const slash = scope.lastIndexOf("/");
  const server = slash > 0 ? scope.slice(0, slash) : scope;
  const action = slash > 0 ? scope.slice(slash + 1) : scope;
  if (action === "read") return `Read your saved contexts (${server})`;
  if (action === "write") return `Create and change your saved contexts (${server})`;
  return `Use "${scope}"`;
}

/** What the consent page shows. */
export interface ConsentView {
  clientId: string;
  kind: "dcr" | "cimd";
  clientName?: string;
  redirectUri: string;
  registeredRedirectUris: string[];
  scope: string;
  /** The sealed transaction, posted back with the decision. */
  transaction: string;
}

/** Where a redirect URI leads, for a person: its host, or its scheme for an app's own scheme. */
export function redirectTarget(uri: string): string {
  const url = new URL(uri);
  return url.host !== "" ? url.host : `${url.protocol}//`;
}

/** The consent page: who asks, where the answer goes, what for; Approve and Deny. */
export function renderConsentPage(view: ConsentView) {
  const target = redirectTarget(view.redirectUri);
  const idHost = view.kind === "cimd" ? new URL(view.clientId).host : undefined;
  const warnings: string[] = [];
  if (idHost !== undefined && idHost !== new URL(view.redirectUri).host)
    warnings.push(
      `The client says it is from ${idHost}, but the answer goes to ${target}. Approve only if you trust both.`,
    );
  if (view.registeredRedirectUris.every(isLoopbackRedirect))
    warnings.push(
      "This client runs on a computer (its answer goes to a local address). Approve only if you started this sign-in yourself, from an application you trust.",
    );
  const name = view.clientName ?? "An unnamed application";
  return layout(
    `Allow access? ${name}`,
    html`<div class="card"><h1>${name} wants to use your account</h1>
<dl><dt>Sends the answer to</dt><dd><code>${target}</code></dd>
${idHost !== undefined ? html`<dt>Identified by</dt><dd><code>${view.clientId}</code></dd>` : html`<dt>Client ID</dt><dd><code>${view.clientId}</code></dd>`}
</dl>
${warnings.map((warning) => html`<p class="warn" role="note">${warning}</p>`)}
<p>If you approve, it will be able to:</p>
<ul>${view.scope
      .split(" ")
      .filter(Boolean)
      .map(
        (scope) =>
          html`<li>${describeScope(scope)} <span class="muted">(<code>${scope}</code>)</span></li>`,
      )}</ul>
<form method="post" action="/authorize/decision">
<input type="hidden" name="transaction" value="${view.transaction}">
<div class="actions"><button class="deny" type="submit" name="decision" value="deny">Deny</button>
<button class="approve" type="submit" name="decision" value="approve">Approve</button></div>
</form>
<p class="muted">You will then sign in, if you have not already. Nothing is shared if you deny.</p></div>`,
  );
}
