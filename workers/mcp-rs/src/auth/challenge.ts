/** Parameters of a Bearer challenge (RFC 6750 §3, RFC 9728 §5.1). */
export interface BearerChallenge {
  error?: "invalid_request" | "invalid_token" | "insufficient_scope";
  errorDescription?: string;
  scope?: readonly string[];
  resourceMetadata: string;
}

/**
 * Builds the one `WWW-Authenticate` value every 401 and 403 carries: auth-params are quoted
 * strings, with `\` and `"` escaped and control characters replaced.
 * @see RFC 6750 §3, RFC 9728 §5.1
 */
export function buildBearerChallenge(challenge: BearerChallenge): string {
  const params: [string, string][] = [];
  if (challenge.error) params.push(["error", challenge.error]);
  if (challenge.errorDescription) params.push(["error_description", challenge.errorDescription]);
  if (challenge.scope?.length) params.push(["scope", challenge.scope.join(" ")]);
  params.push(["resource_metadata", challenge.resourceMetadata]);
  return `Bearer ${params.map(([name, value]) => `${name}=${quote(value)}`).join(", ")}`;
}

function quote(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it removes.
  const clean = value.replace(/[\u0000-\u001f\u007f]/g, " ");
  return `"${clean.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}
