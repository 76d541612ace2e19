/** Options of {@link callIdp}. */
export interface CallIdpOptions {
  /** Signs as of this many milliseconds from now (for a stand-in whose clock is moved). */
  offsetMs?: number;
}

/**
 * Calls the stand-in's IdP JSON API as an operator would (SigV4 with its local keys, its pool);
 * returns the status and the JSON body.
 */
export declare function callIdp(
  standIn: { origin: string; vars: Record<string, string> },
  operation: string,
  input: Record<string, unknown>,
  options?: CallIdpOptions,
): Promise<{ status: number; body: Record<string, unknown> }>;

/** The configuration of an AWS SDK v3 `CognitoIdentityProviderClient` for the stand-in. */
export declare function buildSdkClientConfig(standIn: {
  origin: string;
  vars: Record<string, string>;
}): {
  region: string;
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  maxAttempts: number;
};
