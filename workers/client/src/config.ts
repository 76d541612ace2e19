/** The client's settings, read from its vars (once per env object: see the config middleware). */
export interface ClientConfig {
  appName: string;
  cognitoIssuer: string;
  mcpServerUrl: URL;
  staticClientId: string;
  staticClientSecret: string;
  redirectUri: string;
  staticScopes: string[];
}

const VARS = [
  "APP_NAME",
  "COGNITO_ISSUER",
  "MCP_SERVER_URL",
  "STATIC_CLIENT_ID",
  "STATIC_CLIENT_SECRET",
  "STATIC_REDIRECT_URI",
  "STATIC_SCOPES",
] as const;

type ConfigEnv = Pick<Env, (typeof VARS)[number]>;

/** Reads the vars; a missing one is a deployment mistake (TypeError → 500). */
export function readConfig(env: ConfigEnv): ClientConfig {
  for (const name of VARS) {
    if (typeof env[name] !== "string" || env[name] === "")
      throw new TypeError(`${name} is not set`);
  }
  return {
    appName: env.APP_NAME,
    cognitoIssuer: env.COGNITO_ISSUER,
    mcpServerUrl: new URL(env.MCP_SERVER_URL),
    staticClientId: env.STATIC_CLIENT_ID,
    staticClientSecret: env.STATIC_CLIENT_SECRET,
    redirectUri: env.STATIC_REDIRECT_URI,
    staticScopes: env.STATIC_SCOPES.split(" ").filter(Boolean),
  };
}
