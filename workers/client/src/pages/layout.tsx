/** Where the pages' stylesheet is served, on the client's own origin (CSP `style-src 'self'`). */
export const STYLESHEET_PATH = "/style.css";

/** The stylesheet, served at {@link STYLESHEET_PATH} so the CSP needs no inline style. */
export const STYLESHEET = `
:root { color-scheme: light dark; font-family: system-ui, sans-serif; line-height: 1.5; }
body { margin: 0 auto; max-width: 60rem; padding: 1rem; }
.skip { position: absolute; left: -999px; } .skip:focus { left: 1rem; }
section { border: 1px solid #8884; border-radius: .5rem; padding: 0 1rem 1rem; margin: 1rem 0; }
form { display: inline-block; margin: .25rem .5rem .25rem 0; }
label { display: block; margin-top: .5rem; }
input[type=text], textarea { width: 100%; max-width: 30rem; font: inherit; }
button { font: inherit; padding: .3rem .8rem; cursor: pointer; }
button:focus-visible, a:focus-visible, input:focus-visible { outline: 3px solid #36f; }
pre { background: #8882; padding: .5rem; overflow: auto; white-space: pre-wrap; }
.error { border-color: #c33; } dt { font-weight: 600; } dd { margin: 0 0 .25rem 1rem; }
`;
