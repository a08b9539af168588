/**
 * EKS Pod Identity settings: target roles (cross-account role chaining) and session tags.
 *
 * With a target role, EKS assumes the association's role (which must live in the cluster's account),
 * then the target role, passing the association's external ID; the pod gets the target role's
 * credentials. The association's role therefore needs sts:AssumeRole and sts:TagSession on the target
 * role, and the target role must trust the association's role for both, with that external ID: the EKS
 * user guide, "Access AWS Resources using EKS Pod Identity Target IAM Roles", whose setup grants
 * sts:TagSession on both sides with session tags on and off alike (EKS's session tags are transitive).
 */

import { FluxController } from "../core/catalog";
import { checkBoolean, checkKnownFields, isRecord } from "../core/checks";
import { Issues, show } from "../core/errors";
import { checkControllerRoleArns } from "./arn";
import { AwsPartition } from "./partition";
import { PolicyStatement, oneOrMany, statement, uniqueSorted } from "./policy";
import { AwsAuthMethod } from "./spec";

export const POD_IDENTITY_FIELDS = ["targetRoleArns", "disableSessionTags"];

export interface PodIdentitySettings {
    /** Target role per controller. */
    readonly targetRoleArns: ReadonlyMap<FluxController, string>;
    readonly disableSessionTags: boolean;
}

const NONE: PodIdentitySettings = { targetRoleArns: new Map(), disableSessionTags: false };

/** Validates `podIdentity`: only with authMethod podIdentity; target roles keyed by controller. */
export function resolvePodIdentity(value: unknown, authMethod: AwsAuthMethod, partition: AwsPartition, at: Issues): PodIdentitySettings {
    if (value === undefined) return NONE;
    const pi = at.at("podIdentity");
    if (!isRecord(value)) {
        at.add("podIdentity", `expected a map (targetRoleArns, disableSessionTags), got ${show(value)}.`, "write podIdentity: { targetRoleArns: { source-controller: arn:... } }.");
        return NONE;
    }
    if (authMethod !== AwsAuthMethod.PodIdentity) {
        at.add("podIdentity", "podIdentity settings apply to EKS Pod Identity associations, but authMethod is irsa.", "set authMethod: podIdentity, or remove podIdentity.");
        return NONE;
    }
    checkKnownFields(value, POD_IDENTITY_FIELDS, pi);
    const targetRoleArns = checkControllerRoleArns(value.targetRoleArns, partition, pi, "targetRoleArns");
    const disableSessionTags = checkBoolean(value.disableSessionTags, pi, "disableSessionTags");
    return { targetRoleArns, disableSessionTags };
}

/**
 * The external ID EKS passes when it assumes a target role, in the form the EKS user guide documents:
 * `<cluster region>/<cluster account>/<cluster name>/<namespace>/<ServiceAccount>`.
 */
export function podIdentityExternalId(region: string, account: string, clusterName: string, namespace: string, serviceAccount: string): string {
    return `${region}/${account}/${clusterName}/${namespace}/${serviceAccount}`;
}

/** The statement letting an association's role assume its target roles. */
export function assumeTargetRoleStatement(targetRoleArns: readonly string[]): PolicyStatement {
    return statement({
        Sid: "AssumePodIdentityTargetRole",
        Effect: "Allow",
        Action: ["sts:AssumeRole", "sts:TagSession"],
        Resource: oneOrMany(uniqueSorted(targetRoleArns)),
    });
}

/**
 * What the target role's trust policy must hold for one association: its role may assume it with its
 * external ID, and tag the session (the user guide's setup, with session tags on or off).
 */
export function targetRoleTrustStatements(associationRoleArn: string, externalId: string): PolicyStatement[] {
    return [
        statement({ Effect: "Allow", Principal: { AWS: associationRoleArn }, Action: "sts:AssumeRole", Condition: { StringEquals: { "sts:ExternalId": externalId } } }),
        statement({ Effect: "Allow", Principal: { AWS: associationRoleArn }, Action: "sts:TagSession" }),
    ];
}
