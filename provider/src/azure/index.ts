/** The Azure target: loads @pulumi/azure-native's identity and authorization modules only, never the other clouds' SDKs. */
export * from "../core";
export * from "./component";
export * from "../pulumi/source-cluster-args";
