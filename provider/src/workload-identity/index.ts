/** flux-identity/workload-identity: one source cluster, any subset of AWS, Azure and GCP. */
export * from "./component";
