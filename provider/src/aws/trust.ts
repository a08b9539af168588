/** Role trust policies: OIDC federation (IRSA) and EKS Pod Identity, in the Flux docs' exact shape. */

import { STS_AUDIENCE } from "./partition";
import { PolicyDocument, oneOrMany, policyDocument, statement, uniqueSorted } from "./policy";

/**
 * Trust for OIDC federation: `sts:AssumeRoleWithWebIdentity` from the cluster's OIDC provider, with
 * StringEquals on `<issuer>:aud` = `sts.amazonaws.com` and `<issuer>:sub` = the ServiceAccount subject(s).
 */
export function webIdentityTrustPolicy(oidcProviderArn: string, issuerHostPath: string, subjects: readonly string[]): PolicyDocument {
    if (subjects.length === 0) {
        throw new Error("a web identity trust policy needs at least one subject");
    }
    return policyDocument([
        statement({
            Effect: "Allow",
            Principal: { Federated: oidcProviderArn },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: {
                StringEquals: {
                    [`${issuerHostPath}:aud`]: STS_AUDIENCE,
                    [`${issuerHostPath}:sub`]: oneOrMany(uniqueSorted(subjects)),
                },
            },
        }),
    ]);
}

/** Service principal of EKS Pod Identity (the same in every partition). */
export const POD_IDENTITY_PRINCIPAL = "pods.eks.amazonaws.com";

/** Trust for EKS Pod Identity, exactly as the Flux docs give it. */
export function podIdentityTrustPolicy(): PolicyDocument {
    return policyDocument([
        statement({
            Sid: "AllowEksAuthToAssumeRoleForPodIdentity",
            Effect: "Allow",
            Principal: { Service: POD_IDENTITY_PRINCIPAL },
            Action: ["sts:AssumeRole", "sts:TagSession"],
        }),
    ]);
}
