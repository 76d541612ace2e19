/** Values the stand-in runs with, read from wrangler vars (see wrangler.toml). Local development values only. */
export interface LocalSettings {
  /** Origin the stand-in is reached at, e.g. `http://localhost:9229`. */
  publicOrigin: string;
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

export type SettingsEnv = Pick<
  Env,
  | "PUBLIC_ORIGIN"
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

/** Reads and checks the stand-in's settings; a bad value is a configuration mistake and throws. */
export function readSettings(env: SettingsEnv): LocalSettings {
  const publicOrigin = new URL(env.PUBLIC_ORIGIN).origin;
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
