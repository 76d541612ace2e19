import { describe, expect, it } from "vitest";
import { PageLayout, STYLESHEET_MAX_AGE_SECONDS, stylesheetResponse } from "../src";

async function render(props: Parameters<typeof PageLayout>[0]): Promise<string> {
  return String(await PageLayout(props).toString());
}

describe("the page frame: no inline style, one stylesheet of the page's origin", () => {
  it("renders a standards-mode page that links its stylesheet and holds the content in main", async () => {
    const page = await render({ title: "A <title>", stylesheet: "/style.css", children: "Hello" });
    expect(page).toBe(
      '<!doctype html><html lang="en"><head><meta charset="utf-8"/>' +
        '<meta name="viewport" content="width=device-width, initial-scale=1"/>' +
        '<title>A &lt;title&gt;</title><link rel="stylesheet" href="/style.css"/></head>' +
        '<body><main id="main">Hello</main></body></html>',
    );
  });

  it("puts a skip link before main only when asked", async () => {
    const page = await render({ title: "t", stylesheet: "/s.css", skipLink: true, children: "x" });
    expect(page).toContain(
      '<body><a class="skip" href="#main">Skip to content</a><main id="main">x</main></body>',
    );
    expect(await render({ title: "t", stylesheet: "/s.css", children: "x" })).not.toContain("skip");
  });
});

describe("a served stylesheet", () => {
  it("is CSS in UTF-8, cacheable and never sniffed", async () => {
    const res = stylesheetResponse("main { margin: 0 }");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe(`public, max-age=${STYLESHEET_MAX_AGE_SECONDS}`);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await res.text()).toBe("main { margin: 0 }");
  });
});
