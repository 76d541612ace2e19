/** KV key of a browser session. */
export const sessionKey = (id: string) => `session:${id}`;

/** KV key of the DCR registration kept for an authorization server. */
export const registrationKey = (issuer: string) => `registration:${issuer}`;
