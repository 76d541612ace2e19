// The one frame of every worker's HTML pages and the one way their CSS is served: as a file
// on the page's own origin, so the pages' CSP needs only `style-src 'self'`.
import { raw } from "hono/html";
import type { Child } from "hono/jsx";

/** Props of {@link PageLayout}. */
export interface PageLayoutProps {
  title: string;
  /** Path of the stylesheet, served on the page's own origin (see {@link stylesheetResponse}). */
  stylesheet: string;
  /** Puts a "Skip to content" link (class `skip`) before `<main id="main">`. */
  skipLink?: boolean;
  children: Child;
}

/** The page frame: standards mode, no script, one linked stylesheet, a main landmark. */
export function PageLayout(props: PageLayoutProps) {
  return (
    <>
      {raw("<!doctype html>")}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{props.title}</title>
          <link rel="stylesheet" href={props.stylesheet} />
        </head>
        <body>
          {props.skipLink ? (
            <a class="skip" href="#main">
              Skip to content
            </a>
          ) : null}
          <main id="main">{props.children}</main>
        </body>
      </html>
    </>
  );
}

/** How long a browser may keep a stylesheet: it holds no per-user data. */
export const STYLESHEET_MAX_AGE_SECONDS = 3600;

/** A stylesheet as served to the pages that link it: CSS, cacheable, never sniffed. */
export function stylesheetResponse(css: string): Response {
  return new Response(css, {
    headers: {
      "Content-Type": "text/css; charset=utf-8",
      "Cache-Control": `public, max-age=${STYLESHEET_MAX_AGE_SECONDS}`,
      "X-Content-Type-Options": "nosniff",
    },
  });
}
