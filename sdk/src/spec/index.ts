/** The fleet spec: loading and checking, references, and the provisioning settings. */
export * from "./fleet";
export * from "./references";
export * from "./settings";
