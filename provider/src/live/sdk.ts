/**
 * The @pulumi/kubernetes modules FluxLiveCluster uses (apps/v1, core/v1, rbac/v1 only). Loaded when the
 * first FluxLiveCluster is built (see ../pulumi/peer-sdk).
 */
export * as appsv1 from "@pulumi/kubernetes/apps/v1";
export * as corev1 from "@pulumi/kubernetes/core/v1";
export * as rbacv1 from "@pulumi/kubernetes/rbac/v1";
