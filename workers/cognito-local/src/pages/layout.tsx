import { PageLayout } from "@mcp-cognito-workers/http";

/** Where each host serves the stylesheet its pages link: a page's CSS comes from its own origin. */
export const STYLESHEET_PATH = "/style.css";

/** The stylesheet of the stand-in's pages, served at {@link STYLESHEET_PATH} on both hosts. */
export const STYLESHEET = `
:root { color-scheme: light dark; --accent: #0b63ce; --muted: #667085; --border: #d0d5dd; --bg: #f6f7f9; --card: #fff; --error: #b42318; }
@media (prefers-color-scheme: dark) { :root { --border: #3b4250; --bg: #12151b; --card: #1b1f27; --muted: #98a2b3; --accent: #5ea2ff; --error: #f97066; } }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; background: var(--bg); }
main { max-width: 46rem; margin: 2.5rem auto; padding: 0 1rem; }
.card { background: var(--card); border: 1px solid var(--border); border-radius: 12px; padding: 1.5rem 1.75rem; margin-bottom: 1.25rem; }
.narrow { max-width: 26rem; margin-inline: auto; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; } h2 { font-size: 1.1rem; margin: 0 0 .75rem; }
.badge { display: inline-block; font-size: .75rem; padding: .1rem .5rem; border-radius: 999px; border: 1px solid var(--border); color: var(--muted); }
p.note, .muted { color: var(--muted); font-size: .9rem; }
label { display: block; font-weight: 600; margin: .9rem 0 .3rem; }
input[type=text], input[type=password] { width: 100%; padding: .6rem .7rem; font: inherit; border: 1px solid var(--border); border-radius: 8px; background: transparent; color: inherit; }
input:focus-visible, button:focus-visible, a:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
button { margin-top: 1.25rem; width: 100%; padding: .7rem; font: inherit; font-weight: 600; color: #fff; background: var(--accent); border: 0; border-radius: 8px; cursor: pointer; }
.error { color: var(--error); border: 1px solid var(--error); border-radius: 8px; padding: .6rem .8rem; margin: 1rem 0 0; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .4rem 1rem; margin: 0; }
dt { color: var(--muted); } dd { margin: 0; overflow-wrap: anywhere; }
code { font: .9em ui-monospace, SFMono-Regular, Menlo, monospace; }
a { color: var(--accent); }
`;

/** Headers of every HTML page: no framing, no scripts, no inline style, never cached. */
export const PAGE_HEADERS = {
  "Content-Security-Policy":
    "default-src 'none'; style-src 'self'; frame-ancestors 'none'; base-uri 'none'",
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "no-referrer",
  "Cache-Control": "no-store",
} as const;

/** A page for a request that cannot go back to its client (unknown client or redirect URI). */
export function ErrorPage(props: { message: string }) {
  return (
    <PageLayout title="Error - cognito-local" stylesheet={STYLESHEET_PATH}>
      <div class="card narrow" role="alert">
        <h1>An error was encountered with the requested page.</h1>
        <p class="error">{props.message}</p>
      </div>
    </PageLayout>
  );
}
