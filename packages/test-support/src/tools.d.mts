/**
 * Whether an outside tool the tests need is here. Missing on a developer's machine: the test is
 * skipped with a note. Missing under CI: the test fails, because CI must run it.
 */
export declare function requireTool(name: string, probe: () => boolean, install: string): boolean;

/** Whether a command answers `--version`. */
export declare function hasCommand(command: string): boolean;

/** Debian's Chromium, or the one `CHROMIUM_PATH` names. */
export declare const CHROMIUM_PATH: string;

/** Whether that Chromium is here. */
export declare function hasChromium(): boolean;
