export * from "./authorize";
export * from "./challenge";
export * from "./discovery";
export * from "./errors";
export * from "./http";
export * from "./probe";
export * from "./registration";
export * from "./scopes";
