/** flux-identity: Pulumi components that give Flux secret-less access to cloud resources. */
export * from "./core";
export * from "./aws/component";
export * from "./azure/component";
export * from "./gcp/component";
export * from "./kubernetes/component";
// The Vault component lives in flux-identity/vault (it loads the optional @pulumi/vault); its settings are plain data.
export * from "./vault/spec";
export * from "./issuer/component";
export * from "./live/component";
export * from "./pulumi/source-cluster-args";
export * from "./workload-identity/component";
