/** Values the stand-in runs with, read from wrangler vars (see wrangler.toml). Local development values only. */
export interface Config {
  /**
   * Origin of Cognito's `cognito-idp.<region>.amazonaws.com` host: the IdP JSON API, the issuer
   * under it, discovery and JWKS (and the local test hooks), e.g. `http://localhost:9229`.
   */
  publicOrigin: string;
  /**
   * Origin of the managed-login domain (`<prefix>.auth.<region>.amazoncognito.com`): the OAuth
   * endpoints, the sign-in pages and their cookies, e.g. `http://127.0.0.1:9229`. Another host.
   */
  loginOrigin: string;
  region: string;
  userPoolId: string;
  /** `<publicOrigin>/<userPoolId>`, the `iss` of every token. */
  issuer: string;
  accessKeyId: string;
  secretAccessKey: string;
  staticClientId: string;
  staticClientSecret: string;
  demoUser: { username: string; password: string; email: string };
  /** App-client quota of the pool (`LimitExceededException` beyond it). */
  appClientQuota: number;
  /** Calls per second allowed per IdP API operation; 0 turns the limit off. */
  rateLimitPerSecond: number;
}

export type ConfigEnv = Pick<
  Env,
  | "PUBLIC_ORIGIN"
  | "LOGIN_ORIGIN"
  | "AWS_REGION"
  | "USER_POOL_ID"
  | "LOCAL_ACCESS_KEY_ID"
  | "LOCAL_SECRET_ACCESS_KEY"
  | "STATIC_CLIENT_ID"
  | "STATIC_CLIENT_SECRET"
  | "DEMO_USERNAME"
  | "DEMO_PASSWORD"
  | "DEMO_EMAIL"
  | "APP_CLIENT_QUOTA"
  | "API_RATE_LIMIT_PER_SECOND"
>;

const USER_POOL_ID_PATTERN = /^[\w-]+_[0-9a-zA-Z]+$/;
const CLIENT_ID_PATTERN = /^[a-z0-9]{26}$/;

/** Reads and checks the stand-in's wrangler vars; a bad value is a configuration mistake and throws. */
export function readConfig(env: ConfigEnv): Config {
  const publicOrigin = new URL(env.PUBLIC_ORIGIN).origin;
  const loginOrigin = new URL(env.LOGIN_ORIGIN).origin;
  // Requests are told apart by the host they name: one host for both would hide code that
  // derives the managed-login domain from the issuer.
  if (new URL(loginOrigin).host === new URL(publicOrigin).host) {
    throw new TypeError(
      "LOGIN_ORIGIN must name another host than PUBLIC_ORIGIN, as Cognito's managed-login domain is not its issuer's host",
    );
  }
  if (!USER_POOL_ID_PATTERN.test(env.USER_POOL_ID) || env.USER_POOL_ID.length > 55) {
    throw new TypeError(`USER_POOL_ID "${env.USER_POOL_ID}" is not a Cognito user pool id`);
  }
  if (!env.USER_POOL_ID.startsWith(`${env.AWS_REGION}_`)) {
    throw new TypeError(`USER_POOL_ID must start with the region, "${env.AWS_REGION}_"`);
  }
  if (!CLIENT_ID_PATTERN.test(env.STATIC_CLIENT_ID)) {
    throw new TypeError(
      "STATIC_CLIENT_ID must be 26 lowercase letters and digits, as Cognito's are",
    );
  }
  return {
    publicOrigin,
    loginOrigin,
    region: env.AWS_REGION,
    userPoolId: env.USER_POOL_ID,
    issuer: `${publicOrigin}/${env.USER_POOL_ID}`,
    accessKeyId: env.LOCAL_ACCESS_KEY_ID,
    secretAccessKey: env.LOCAL_SECRET_ACCESS_KEY,
    staticClientId: env.STATIC_CLIENT_ID,
    staticClientSecret: env.STATIC_CLIENT_SECRET,
    demoUser: { username: env.DEMO_USERNAME, password: env.DEMO_PASSWORD, email: env.DEMO_EMAIL },
    appClientQuota: parseCount("APP_CLIENT_QUOTA", env.APP_CLIENT_QUOTA),
    rateLimitPerSecond: parseCount("API_RATE_LIMIT_PER_SECOND", env.API_RATE_LIMIT_PER_SECOND),
  };
}

function parseCount(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new TypeError(`${name} must be a whole number ≥ 0`);
  return n;
}
