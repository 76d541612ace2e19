import { timingSafeEqual } from "@mcp-cognito-workers/http";
import { AwsV4Signer } from "aws4fetch";
import { CognitoError } from "./cognito-error";

/** How far `X-Amz-Date` may be from the stand-in's clock, either way (AWS's window). */
export const SIGNATURE_WINDOW_MS = 5 * 60 * 1000;

const ALGORITHM = "AWS4-HMAC-SHA256";
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** AWS's messages for signature failures. */
export const SIGV4_MESSAGES = {
  missingToken: "Missing Authentication Token",
  unrecognizedClient: "The security token included in the request is invalid.",
  mismatch:
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
  hostNotSigned: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
  /** UNVERIFIED wording, after the one for Host. */
  dateNotSigned: "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.",
} as const;

/** The one key pair, region and service requests must be signed for. */
export interface SigV4Options {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  service: string;
  /** Epoch milliseconds on the stand-in's clock. */
  now: number;
}

/**
 * Checks a request's AWS Signature Version 4 (`Authorization` header) in the order AWS does and
 * throws {@link CognitoError} with AWS's error type and message on the first failure. The
 * signature itself is recomputed with aws4fetch over exactly the headers the request signed.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 */
export async function verifySigV4(
  request: Request,
  body: Uint8Array,
  options: SigV4Options,
): Promise<void> {
  const authorization = request.headers.get("authorization");
  if (authorization === null || !authorization.trim().startsWith("AWS4-")) {
    throw new CognitoError("MissingAuthenticationTokenException", SIGV4_MESSAGES.missingToken);
  }
  const auth = parseAuthorization(authorization);
  const amzDate = request.headers.get("x-amz-date");
  const missing = [
    ...(["Credential", "Signature", "SignedHeaders"] as const)
      .filter((name) => auth.params[name] === undefined)
      .map((name) => `Authorization header requires '${name}' parameter.`),
    ...(amzDate === null && request.headers.get("date") === null
      ? ["Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."]
      : []),
  ];
  if (missing.length > 0) {
    throw new CognitoError(
      "IncompleteSignatureException",
      `${missing.join(" ")} Authorization=${authorization}`,
    );
  }
  const credential = auth.params.Credential as string;
  const signature = auth.params.Signature as string;
  const signedHeaders = auth.params.SignedHeaders as string;

  const dateText = amzDate ?? "";
  const date = parseAmzDate(dateText);
  checkClock(dateText, date, options.now);

  const signedNames = signedHeaders.split(";");
  if (!signedNames.includes("host")) {
    throw new CognitoError("InvalidSignatureException", SIGV4_MESSAGES.hostNotSigned);
  }
  // A request must sign the date it carries, or it could be replayed under a fresh one.
  if (!signedNames.includes("x-amz-date")) {
    throw new CognitoError("InvalidSignatureException", SIGV4_MESSAGES.dateNotSigned);
  }
  if (auth.algorithm !== ALGORITHM) {
    throw new CognitoError(
      "IncompleteSignatureException",
      `Unsupported AWS 'algorithm': '${auth.algorithm}' (only ${ALGORITHM} for now). `,
    );
  }
  const scope = credential.split("/");
  if (scope.length !== 5) {
    throw new CognitoError(
      "IncompleteSignatureException",
      `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`,
    );
  }
  const [accessKeyId, scopeDate, region, service, terminator] = scope as [
    string,
    string,
    string,
    string,
    string,
  ];
  const scopeErrors = [
    ...(region !== options.region ? ["Credential should be scoped to a valid region. "] : []),
    ...(service !== options.service
      ? [`Credential should be scoped to correct service: '${options.service}'. `]
      : []),
    ...(terminator !== "aws4_request"
      ? [
          `Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'. `,
        ]
      : []),
    ...(scopeDate !== dateText.slice(0, 8)
      ? [
          `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${dateText.slice(0, 8)}', from '${dateText}'.`,
        ]
      : []),
  ];
  if (scopeErrors.length > 0) {
    throw new CognitoError("InvalidSignatureException", scopeErrors.join(""));
  }
  if (accessKeyId !== options.accessKeyId) {
    throw new CognitoError("UnrecognizedClientException", SIGV4_MESSAGES.unrecognizedClient);
  }
  if (
    !(await signatureMatches(request, body, {
      signature,
      signedNames,
      amzDate: dateText,
      ...options,
    }))
  ) {
    throw new CognitoError("InvalidSignatureException", SIGV4_MESSAGES.mismatch);
  }
  // The stand-in has long-term keys only; a session token belongs to credentials it never issued.
  if (request.headers.has("x-amz-security-token")) {
    throw new CognitoError("UnrecognizedClientException", SIGV4_MESSAGES.unrecognizedClient);
  }
}

interface ParsedAuthorization {
  algorithm: string;
  params: Partial<Record<"Credential" | "Signature" | "SignedHeaders", string>>;
}

function parseAuthorization(header: string): ParsedAuthorization {
  const trimmed = header.trim();
  const space = trimmed.search(/\s/);
  const algorithm = space < 0 ? trimmed : trimmed.slice(0, space);
  const params: ParsedAuthorization["params"] = {};
  const rest = space < 0 ? "" : trimmed.slice(space);
  for (const part of rest.split(",")) {
    const equals = part.indexOf("=");
    if (equals < 0) continue;
    const name = part.slice(0, equals).trim();
    const value = part.slice(equals + 1).trim();
    if (
      (name === "Credential" || name === "Signature" || name === "SignedHeaders") &&
      value !== ""
    ) {
      params[name] = value;
    }
  }
  return { algorithm, params };
}

function parseAmzDate(text: string): number {
  const time = AMZ_DATE.test(text)
    ? Date.parse(text.replace(AMZ_DATE, "$1-$2-$3T$4:$5:$6Z"))
    : Number.NaN;
  // The round trip refuses dates that do not exist, such as 20260231T000000Z.
  if (Number.isNaN(time) || formatAmzDate(time) !== text) {
    throw new CognitoError(
      "IncompleteSignatureException",
      `Date must be in ISO-8601 'basic format'. Got '${text}'. See http://en.wikipedia.org/wiki/ISO_8601`,
    );
  }
  return time;
}

function checkClock(dateText: string, date: number, now: number): void {
  if (date < now - SIGNATURE_WINDOW_MS) {
    throw new CognitoError(
      "InvalidSignatureException",
      `Signature expired: ${dateText} is now earlier than ${formatAmzDate(now - SIGNATURE_WINDOW_MS)} (${formatAmzDate(now)} - 5 min.)`,
    );
  }
  if (date > now + SIGNATURE_WINDOW_MS) {
    throw new CognitoError(
      "InvalidSignatureException",
      `Signature not yet current: ${dateText} is still later than ${formatAmzDate(now + SIGNATURE_WINDOW_MS)} (${formatAmzDate(now)} + 5 min.)`,
    );
  }
}

/** `YYYYMMDDTHHMMSSZ`, as in `X-Amz-Date`. */
export function formatAmzDate(time: number): string {
  return new Date(time).toISOString().replace(/[:-]|\.\d{3}/g, "");
}

async function signatureMatches(
  request: Request,
  body: Uint8Array,
  check: SigV4Options & { signature: string; signedNames: string[]; amzDate: string },
): Promise<boolean> {
  // aws4fetch takes X-Amz-Content-Sha256 as the payload hash without looking at the body.
  const claimedHash = request.headers.get("x-amz-content-sha256");
  if (claimedHash !== null && claimedHash !== (await sha256Hex(body))) return false;

  const url = new URL(request.url);
  const host = request.headers.get("host") ?? url.host;
  const headers = new Headers();
  for (const name of check.signedNames) {
    if (name === "host") continue;
    const value = request.headers.get(name);
    // A header that was signed but is not here cannot have been signed as it is.
    if (value === null) return false;
    headers.set(name, value);
  }
  const signer = new AwsV4Signer({
    url: `http://${host}${url.pathname}${url.search}`,
    method: request.method,
    headers,
    body,
    accessKeyId: check.accessKeyId,
    secretAccessKey: check.secretAccessKey,
    service: check.service,
    region: check.region,
    datetime: check.amzDate,
    allHeaders: true,
  });
  // The signer sorts and lowercases; a list in any other form is not what was signed.
  if (signer.signedHeaders !== check.signedNames.join(";")) return false;
  return timingSafeEqual(await signer.signature(), check.signature);
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}
