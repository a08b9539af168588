/** The IAM OIDC provider for the cluster's issuer: an existing one (checked against the issuer) or one to create. */

import { ResolvedSourceCluster } from "../core/cluster";
import { Issues, show } from "../core/errors";
import { sortedRecord } from "../core/order";
import { IAM_OIDC_PROVIDER, checkArn } from "./arn";
import { AwsPartition, STS_AUDIENCE } from "./partition";
import { AwsOidcProviderPlan, PendingValues } from "./plan-model";

export interface OidcContext {
    partition: AwsPartition;
    accountId: string;
    pending: PendingValues;
    at: Issues;
    issuesRoot: Issues;
    clusterPath: string;
    tags: Record<string, string>;
}

export function planOidcProvider(arnInput: unknown, create: boolean, cluster: ResolvedSourceCluster, c: OidcContext): AwsOidcProviderPlan | undefined {
    const tags = sortedRecord(c.tags);
    if (arnInput !== undefined) {
        if (c.pending.oidcProviderArn) {
            return { create: false, arn: `arn:${c.partition}:iam::${c.accountId}:oidc-provider/${cluster.issuerHostPath}`, url: cluster.issuerUrl, clientIds: [STS_AUDIENCE], tags };
        }
        const arn = checkArn(arnInput, IAM_OIDC_PROVIDER, c.partition, c.at, "oidcProviderArn");
        if (!arn) return undefined;
        if (arn.account !== c.accountId) {
            c.at.add("oidcProviderArn", `the OIDC provider is in account ${arn.account}, but the roles are created in ${c.accountId}; a role can only trust a provider of its own account.`, "give the provider of account " + c.accountId + ", or omit oidcProviderArn to create one.");
            return undefined;
        }
        const hostPath = arn.resource.slice("oidc-provider/".length);
        if (!c.pending.issuerUrl && hostPath !== cluster.issuerHostPath) {
            c.at.add("oidcProviderArn", `the provider is for ${show(hostPath)}, but the cluster's issuer is ${show(cluster.issuerHostPath)}.`, "give the provider created for this cluster's issuer, or omit oidcProviderArn to create one.");
            return undefined;
        }
        return { create: false, arn: arnInput as string, url: cluster.issuerUrl, clientIds: [STS_AUDIENCE], tags };
    }
    if (!create) {
        c.at.add("oidcProviderArn", "IRSA needs an IAM OIDC provider for the cluster's issuer, but none is given and createOidcProvider is false.", "give oidcProviderArn, or set createOidcProvider: true.");
        return undefined;
    }
    if (cluster.issuerHasPort) {
        c.issuesRoot.within(c.clusterPath).add("issuerUrl", "AWS IAM OIDC providers cannot have a port in their URL.", "serve the issuer on port 443 without an explicit port.");
        return undefined;
    }
    return {
        create: true,
        arn: `arn:${c.partition}:iam::${c.accountId}:oidc-provider/${cluster.issuerHostPath}`,
        url: cluster.issuerUrl,
        clientIds: [STS_AUDIENCE],
        tags,
    };
}
