import type { TestUserConfig, ViteUserConfig } from "vitest/config";

/** A project of Node tests named `name`, run from the repository root. */
export declare function defineNodeProject(options: {
  name: string;
  include: string[];
  test?: TestUserConfig;
}): ViteUserConfig;

/** The vitest project of `workers/<worker>`: unit tests in workerd, or with `wire` its wire tests. */
export declare function defineWorkerProject(options: {
  worker: string;
  wire?: boolean;
  test?: TestUserConfig;
}): ViteUserConfig;
