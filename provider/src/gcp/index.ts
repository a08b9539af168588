/** The GCP target: loads @pulumi/gcp only, never the other clouds' SDKs. */
export * from "../core";
export * from "./spec";
export * from "./plan";
export * from "./patches";
export * from "./resources";
export * from "./credential-configuration";
export * from "./component";
export * from "../pulumi/source-cluster-args";
