/** Live-cluster mode: loads @pulumi/kubernetes only, never the cloud SDKs. */
export * from "../core";
export * from "./args";
export * from "./drift";
export * from "./identity-hash";
export * from "./live-deployment";
export * from "./objects";
export * from "./options";
export * from "./plan";
export * from "./structure";
export * from "./component";
