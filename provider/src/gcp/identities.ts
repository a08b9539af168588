/**
 * Who Flux authenticates as, per controller and tenant: its Kubernetes ServiceAccount's own principal
 * (direct), or a GSA it impersonates (created, or brought) together with the
 * `roles/iam.workloadIdentityUser` binding that lets the ServiceAccount impersonate it.
 */

import { FluxController, controllerShortName, controllersForKinds, sortControllers } from "../core/catalog";
import { serviceAccountKey } from "../core/kubernetes";
import { DistinctPart } from "../core/names";
import { compareStrings, sortedRecord } from "../core/order";
import { GcpGrant, grantKinds, scopeGrants } from "./grants";
import { GcpIdentityPlan, GcpIdentityServes, GcpServiceAccountPlan, GcpWorkloadIdentityUserPlan } from "./plan-model";
import { KubernetesPrincipalSource, kubernetesPrincipal, serviceAccountMember } from "./principals";
import { serviceAccountResourceName } from "./resource-names";
import { ServiceAccountContext, makeServiceAccount } from "./service-accounts";
import { GcpAuthMode, GcpServiceAccountLayout } from "./spec";
import { GcpResolvedTenant } from "./tenants";

export interface IdentityInput {
    readonly accounts: ServiceAccountContext;
    readonly fluxNamespace: string;
    readonly principals: KubernetesPrincipalSource;
    readonly authMode: GcpAuthMode;
    readonly layout: GcpServiceAccountLayout;
    readonly controllerGrants: readonly GcpGrant[];
    /** Brought GSAs by controller. */
    readonly existing: ReadonlyMap<FluxController, string>;
    readonly tenants: readonly GcpResolvedTenant[];
}

export interface PlannedIdentities {
    identities: GcpIdentityPlan[];
    /** The grants each identity receives, by identity key. */
    grantsByIdentity: Map<string, GcpGrant[]>;
    serviceAccounts: GcpServiceAccountPlan[];
    workloadIdentityUsers: GcpWorkloadIdentityUserPlan[];
    controllerIdentities: Record<string, string>;
    tenantIdentities: Record<string, string>;
}

/** One identity to plan: who it serves, what it is granted, and how it authenticates. */
interface IdentityRequest {
    key: string;
    logicalName: string;
    serves: GcpIdentityServes;
    grants: GcpGrant[];
    mode: GcpAuthMode;
    /** A brought GSA; absent means flux-identity creates one in impersonation mode. */
    existingEmail?: string;
    /** For the GSA's display name and description. */
    who: string;
    /** Readable part of a created GSA's account ID. */
    readable: DistinctPart;
}

export function planIdentities(input: IdentityInput): PlannedIdentities {
    const out: PlannedIdentities = { identities: [], grantsByIdentity: new Map(), serviceAccounts: [], workloadIdentityUsers: [], controllerIdentities: {}, tenantIdentities: {} };

    const add = (r: IdentityRequest) => {
        const { serves } = r;
        // In the order of serves.controllers (or the tenant), so bindings below pair with their ServiceAccount.
        const kubernetesPrincipals = serves.tenant
            ? [kubernetesPrincipal(input.principals, serves.tenant.namespace, serves.tenant.name)]
            : serves.controllers.map((c) => kubernetesPrincipal(input.principals, input.fluxNamespace, c));
        const identity: GcpIdentityPlan = {
            key: r.key,
            logicalName: r.logicalName,
            mode: r.mode,
            serves,
            kubernetesPrincipals: [...kubernetesPrincipals].sort(compareStrings),
            createsServiceAccount: false,
            member: kubernetesPrincipals[0],
        };
        if (r.mode === GcpAuthMode.Impersonation) {
            let email = r.existingEmail;
            if (email === undefined) {
                const gsa = makeServiceAccount(input.accounts, r.key, r.logicalName, r.readable, r.who);
                out.serviceAccounts.push(gsa);
                email = gsa.email;
                identity.createsServiceAccount = true;
            }
            identity.serviceAccountEmail = email;
            identity.member = serviceAccountMember(email);
            // One binding per served ServiceAccount, named after it, so adding a controller adds a binding.
            const users = serves.tenant ? [serviceAccountKey(serves.tenant)] : serves.controllers.map(controllerShortName);
            users.forEach((user, i) => {
                out.workloadIdentityUsers.push({
                    logicalName: `gsa/${r.logicalName}/workload-identity-user/${user}`,
                    identityKey: r.key,
                    serviceAccountId: serviceAccountResourceName(email as string),
                    member: kubernetesPrincipals[i],
                });
            });
        }
        out.identities.push(identity);
        out.grantsByIdentity.set(r.key, r.grants);
    };
    const grantsOf = (controllers: FluxController[]) => scopeGrants(input.controllerGrants, new Set(controllers));

    const withGrants = controllersForKinds(grantKinds(input.controllerGrants));
    const created = withGrants.filter((c) => !input.existing.has(c));
    if (input.authMode === GcpAuthMode.Impersonation && input.layout === GcpServiceAccountLayout.Shared && created.length > 0) {
        add({ key: "shared", logicalName: "shared", serves: { controllers: created }, grants: grantsOf(created), mode: GcpAuthMode.Impersonation, who: created.join(", "), readable: "shared" });
        for (const c of created) out.controllerIdentities[c] = "shared";
    } else {
        for (const c of created) {
            add({ key: c, logicalName: controllerShortName(c), serves: { controllers: [c] }, grants: grantsOf([c]), mode: input.authMode, who: c, readable: controllerShortName(c) });
            out.controllerIdentities[c] = c;
        }
    }
    for (const c of sortControllers(input.existing.keys())) {
        const key = `existing/${c}`;
        add({ key, logicalName: `existing/${controllerShortName(c)}`, serves: { controllers: [c] }, grants: grantsOf([c]), mode: GcpAuthMode.Impersonation, existingEmail: input.existing.get(c), who: c, readable: controllerShortName(c) });
        out.controllerIdentities[c] = key;
    }
    for (const t of input.tenants) {
        const tkey = serviceAccountKey(t.ref);
        const key = t.existingServiceAccountEmail ? `existing/tenant/${tkey}` : `tenant/${tkey}`;
        add({
            key,
            logicalName: key,
            serves: { controllers: controllersForKinds(t.kinds), tenant: t.ref },
            grants: t.grants,
            mode: t.mode,
            existingEmail: t.existingServiceAccountEmail,
            who: `tenant ${tkey}`,
            readable: [t.ref.namespace, t.ref.name],
        });
        out.tenantIdentities[tkey] = key;
    }
    out.controllerIdentities = sortedRecord(out.controllerIdentities);
    out.tenantIdentities = sortedRecord(out.tenantIdentities);
    return out;
}
