/** flux-identity: Pulumi components that give Flux secret-less access to cloud resources. */
export * from "./core";
export * from "./aws/component";
export * from "./azure/component";
export * from "./gcp/component";
export * from "./issuer/component";
export * from "./live/component";
export * from "./pulumi/source-cluster-args";
export * from "./workload-identity/component";
