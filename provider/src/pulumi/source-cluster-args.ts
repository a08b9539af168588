/** Source-cluster arguments of the components: the issuer and EKS name may be outputs of other resources. */

import * as pulumi from "@pulumi/pulumi";
import { SourceCluster, SourceClusterShape } from "../core/cluster";

export interface SourceClusterArgs extends SourceClusterShape {
    /**
     * The ServiceAccount token issuer, exactly as in the `iss` claim. May be an output, such as an EKS
     * cluster's `identities[0].oidcs[0].issuer`.
     */
    issuerUrl: pulumi.Input<string>;
    /** EKS only: the cluster's name in EKS, for Pod Identity associations. Defaults to `name`. */
    eksClusterName?: pulumi.Input<string>;
}

/** True when the value is already known: a plain string or absent. */
export function isKnown(value: pulumi.Input<string> | undefined): value is string | undefined {
    return value === undefined || typeof value === "string";
}

/** The cluster with its inputs resolved. */
export function resolvedCluster(args: SourceClusterArgs, issuerUrl: string, eksClusterName: string | undefined): SourceCluster {
    const out: SourceCluster = { name: args.name, type: args.type, issuerUrl };
    if (eksClusterName !== undefined) out.eksClusterName = eksClusterName;
    return out;
}
