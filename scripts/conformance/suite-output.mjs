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

/**
 * What `conformance list --requirements <revision>` prints: the scenarios a revision requires of
 * each leg (scored), and those it runs and reports without scoring, with the reason and the leg.
 * @param {string} output
 * @returns {{revision: string, server: string[], client: string[], notScored: {scenario: string, leg: string, reason: string}[]}}
 */
export function parseRequirementsListing(output) {
  const revision = /^Required for (\S+) \(/m.exec(output)?.[1];
  if (!revision) throw new TypeError("not the output of `conformance list --requirements`");
  const listing = { revision, server: [], client: [], notScored: [] };
  let section;
  let reason;
  for (const line of output.split(/\r?\n/)) {
    if (line.startsWith("Server scenarios")) section = "server";
    else if (line.startsWith("Client scenarios")) section = "client";
    else if (line.startsWith("Run and reported, but never scored")) section = "notScored";
    else if (section === "server" || section === "client") {
      const scenario = /^ {2}- (\S+)$/.exec(line)?.[1];
      if (scenario) listing[section].push(scenario);
    } else if (section === "notScored") {
      // `  extension (16):`, then `    - auth/dpop [client]` under it.
      reason = /^ {2}(\S+) \(\d+\):$/.exec(line)?.[1] ?? reason;
      const entry = /^ {4}- (\S+) \[(\w+)\]$/.exec(line);
      if (entry && reason) listing.notScored.push({ scenario: entry[1], leg: entry[2], reason });
    }
  }
  return listing;
}

/** The suites `npm run test:conformance` runs, in order. */
export const SUITES = ["client", "server", "authorization"];

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
