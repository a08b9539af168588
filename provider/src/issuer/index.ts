/**
 * Publishing a cluster's issuer: loads no cloud SDK until a PublicOidcIssuer is built, then only the
 * storage module of its backend (@pulumi/aws's s3, @pulumi/gcp's storage or azure-native's storage).
 */
export * from "../core";
export * from "./spec";
export * from "./plan-model";
export * from "./plan";
export * from "./urls";
export * from "./jwks";
export * from "./discovery";
export * from "./flags";
export * from "./storage-names";
export * from "./s3-bucket-policy";
export * from "./resources";
export * from "./component";
