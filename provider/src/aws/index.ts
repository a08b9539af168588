/** The AWS target: loads @pulumi/aws only, never the other clouds' SDKs. */
export * from "../core";
export * from "./component";
export * from "../pulumi/source-cluster-args";
