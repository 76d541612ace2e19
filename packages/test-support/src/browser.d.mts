/** Options of {@link CookieJar}. */
export interface CookieJarOptions {
  /** Sends the requests; the global fetch when absent (a unit test passes its worker's). */
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
}

/** The cookies of one browser, fed from Set-Cookie. */
export declare class CookieJar {
  constructor(options?: CookieJarOptions);
  readonly cookies: Map<string, string>;
  store(response: Response): void;
  header(): string;
  send(url: string, init?: RequestInit): Promise<Response>;
}

/** Options of {@link authorizeThroughFrontDoor}. */
export interface FrontDoorSignInOptions {
  username: string;
  password: string;
  /** What the person answers on the consent page (default: approve). */
  decision?: "approve" | "deny";
  /** The browser; a new one when absent. */
  jar?: CookieJar;
  /** Origins that belong to the sign-in besides the front door (learned when absent). */
  cognitoOrigins?: string[];
  /** Headers sent with every request to the front door (e.g. `CF-Connecting-IP`). */
  headers?: Record<string, string>;
}

/** What the walk through the front door ended on. */
export interface FrontDoorSignInResult {
  /** The redirect to the client's redirect URI. */
  location: URL;
  jar: CookieJar;
  consentShown: boolean;
  consentPage?: string;
  loginShown: boolean;
  steps: string[];
}

/** Follows an authorization URL through consent, managed login and the callback relay. */
export declare function authorizeThroughFrontDoor(
  authorizationUrl: string,
  options: FrontDoorSignInOptions,
): Promise<FrontDoorSignInResult>;
