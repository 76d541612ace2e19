/** Cache headers Cognito sends on token responses and OAuth errors (over the shared `no-store`). */
export const NO_STORE = {
  "Cache-Control": "no-cache, no-store, max-age=0, must-revalidate",
  Pragma: "no-cache",
} as const;
