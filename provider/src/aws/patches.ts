/**
 * The Flux side for AWS, per the Flux AWS docs:
 * - EKS with IRSA: the `eks.amazonaws.com/role-arn` annotation on the controller ServiceAccount;
 * - EKS with Pod Identity: nothing (the association lives in EKS);
 * - a custom STS endpoint: `AWS_ENDPOINT_URL_STS` on the controllers that exchange web identity tokens;
 * - any other cluster: AWS SDK env vars and a projected token with audience `sts.amazonaws.com`;
 * - object level: annotated tenant ServiceAccounts, and on Flux 2.6 to 2.9 the feature gate on the
 *   controllers serving them.
 */

import { FluxController, sortControllers } from "../core/catalog";
import { SourceClusterType } from "../core/cluster";
import { ControllerPatches, FluxPatchSet, FluxTenantServiceAccount } from "../core/patch";
import { objectLevelArgs } from "../flux/version";
import { STS_AUDIENCE } from "./partition";
import { AwsPlan, plannedRoleArns } from "./plan";
import { awsRoleSessionName } from "./roles";
import { AwsAuthMethod } from "./spec";
import { STS_ENDPOINT_ENV } from "./sts-endpoint";

export const ROLE_ARN_ANNOTATION = "eks.amazonaws.com/role-arn";
export const AWS_TOKEN_VOLUME = "aws-token";
export const AWS_TOKEN_DIR = "/var/run/service-account";
export const AWS_TOKEN_EXPIRATION_SECONDS = 3600;

/** Role ARNs by controller name and by tenant `<ns>/<sa>`. */
export interface AwsRoleArns {
    controllers: Record<string, string>;
    tenants: Record<string, string>;
}

/** The patch set for a plan. `arns` defaults to the planned ARNs; pass them when already computed. */
export function awsFluxPatchSet(plan: AwsPlan, arns: AwsRoleArns = plannedRoleArns(plan)): FluxPatchSet {
    const patches = new ControllerPatches();
    const patchOf = (c: FluxController) => patches.of(c);
    const eks = plan.cluster.type === SourceClusterType.Eks;
    for (const c of sortControllers(Object.keys(plan.controllerRoles) as FluxController[])) {
        const arn = arns.controllers[c];
        if (!arn) {
            throw new Error(`no role ARN for ${c}`);
        }
        // The AWS SDK takes a custom STS endpoint from the environment for the web identity exchange;
        // Pod Identity credentials come from the agent and never reach STS.
        const stsEnv = plan.stsEndpoint !== undefined && plan.authMethod === AwsAuthMethod.Irsa ? [{ name: STS_ENDPOINT_ENV, value: plan.stsEndpoint }] : [];
        if (eks) {
            if (plan.authMethod === AwsAuthMethod.Irsa) {
                patchOf(c).serviceAccountAnnotations[ROLE_ARN_ANNOTATION] = arn;
                patchOf(c).env.push(...stsEnv);
            }
            continue;
        }
        const p = patchOf(c);
        p.env.push(
            { name: "AWS_REGION", value: plan.region },
            { name: "AWS_ROLE_ARN", value: arn },
            { name: "AWS_ROLE_SESSION_NAME", value: awsRoleSessionName(c, plan.fluxNamespace, plan.region) },
            { name: "AWS_WEB_IDENTITY_TOKEN_FILE", value: `${AWS_TOKEN_DIR}/${AWS_TOKEN_VOLUME}` },
            ...stsEnv,
        );
        p.volumes.push({
            name: AWS_TOKEN_VOLUME,
            projectedTokens: [{ audience: STS_AUDIENCE, expirationSeconds: AWS_TOKEN_EXPIRATION_SECONDS, path: AWS_TOKEN_VOLUME }],
        });
        p.volumeMounts.push({ name: AWS_TOKEN_VOLUME, mountPath: AWS_TOKEN_DIR, readOnly: true });
    }
    for (const c of plan.objectLevelControllers) {
        patchOf(c).args.push(...objectLevelArgs(plan.fluxVersion));
    }
    const tenantServiceAccounts: FluxTenantServiceAccount[] = Object.keys(plan.tenantRoles)
        .sort()
        .map((key) => {
            const [namespace, name] = key.split("/");
            const arn = arns.tenants[key];
            if (!arn) {
                throw new Error(`no role ARN for tenant ${key}`);
            }
            return { namespace, name, annotations: { [ROLE_ARN_ANNOTATION]: arn }, servedBy: plan.tenantControllers[key] ?? [] };
        });
    return {
        namespace: plan.fluxNamespace,
        controllers: patches.list(),
        tenantServiceAccounts,
        configMaps: [],
        fluxVersion: plan.fluxVersion,
    };
}
