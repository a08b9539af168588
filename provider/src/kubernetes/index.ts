/** Remote Kubernetes clusters over OIDC (kubeConfig provider: generic): loads no cloud SDK. */
export * from "../core";
export * from "./spec";
export * from "./plan";
export * from "./patches";
export * from "./resources";
export * from "./authentication";
export * from "./component";
export * from "../pulumi/source-cluster-args";
