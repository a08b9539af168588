/** The Vault / OpenBao target: loads @pulumi/vault only, never the clouds' SDKs. */
export * from "../core";
export * from "./spec";
export * from "./plan";
export * from "./patches";
export * from "./resources";
export * from "./policy";
export * from "./component";
export * from "../pulumi/source-cluster-args";
