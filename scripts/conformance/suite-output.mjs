// Reading what the conformance suite prints while it runs: pure functions over its output text.

/** What `authorization-code-grant` prints on the line before the URL a person should open. */
const URL_PROMPT = "Access the following URL in your browser";

/**
 * The authorization URL the suite's `authorization-code-grant` prints for a browser (the line
 * after {@link URL_PROMPT}), once that line is complete; undefined before.
 * @param {string} output everything the suite printed so far
 */
export function findAuthorizationUrl(output) {
  const lines = output.split(/\r?\n/);
  const prompt = lines.findIndex((line) => line.includes(URL_PROMPT));
  // The URL's line is complete only once a line break follows it.
  if (prompt < 0 || prompt + 2 >= lines.length) return undefined;
  const candidate = lines[prompt + 1]?.trim() ?? "";
  return URL.canParse(candidate) ? candidate : undefined;
}

/**
 * Whether the suite's callback server listens on `port`: it prints
 * `Callback server started: http://127.0.0.1:<port>` once it does.
 * @param {string} output
 * @param {number} port
 */
export function isCallbackServerListening(output, port) {
  return output
    .split(/\r?\n/)
    .some((line) => line.trim() === `Callback server started: http://127.0.0.1:${port}`);
}

/** The suites `npm run test:conformance` runs, in order. */
export const SUITES = ["client", "authorization"];

/**
 * The suites a run asks for: all of {@link SUITES} with no argument, else the named ones
 * (`node scripts/conformance.mjs authorization`).
 * @param {string[]} args
 */
export function selectSuites(args) {
  const unknown = args.find((arg) => !SUITES.includes(arg));
  if (unknown !== undefined)
    throw new TypeError(`unknown suite ${JSON.stringify(unknown)}; expected: ${SUITES.join(", ")}`);
  return args.length === 0 ? [...SUITES] : SUITES.filter((suite) => args.includes(suite));
}
