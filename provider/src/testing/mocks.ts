/**
 * Pulumi mocks for programs that use flux-identity. The components check their credentials before they
 * create anything (AWS caller identity, Azure client config, GCP project number); with the usual
 * `call: (args) => args.inputs` those checks get nothing back and the outputs never resolve. These mocks
 * answer the checks with the values the program plans, and give the resources the components create
 * the outputs the clouds would (ARNs, client and principal IDs, service account emails, pool names).
 * Everything else goes to the program's own mocks, if given.
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { FLUX_IDENTITY_INVOKES } from "../pulumi/invokes";

/** What the mocked clouds report; each value must be the one the program plans. */
export interface FluxIdentityMocksOptions {
    aws?: {
        /** The account the mocked AWS credentials belong to. Default 123456789012. */
        accountId?: string;
        /** Their partition. Default aws. */
        partition?: "aws" | "aws-cn" | "aws-us-gov";
    };
    azure?: {
        /** The subscription of the mocked Azure credentials. Default 00000000-0000-4000-8000-000000000001. */
        subscriptionId?: string;
        /** Their tenant. Default 00000000-0000-4000-8000-0000000000aa. */
        tenantId?: string;
    };
    gcp?: {
        /** The number of every mocked GCP project not in `projectNumbers`. Default 123456789012. */
        projectNumber?: string;
        /** Project number per project ID. */
        projectNumbers?: Record<string, string>;
    };
    /**
     * The program's own mocks. Their `newResource` is asked first for every resource, and the state it
     * returns wins over the outputs added here; their `call` answers every invoke the components do not
     * make (without it, an invoke returns its inputs).
     */
    mocks?: Partial<pulumi.runtime.Mocks>;
}

/** The settings in force, defaults applied; change them between tests as needed. */
export interface FluxIdentityMockSettings {
    aws: { accountId: string; partition: string };
    azure: { subscriptionId: string; tenantId: string };
    gcp: { projectNumber: string; projectNumbers: Record<string, string> };
}

const AZURE_MANAGED_IDENTITY = "azure-native:managedidentity:UserAssignedIdentity";

/** The client and principal IDs the mocked Azure gives a managed identity: derived from its name, so tests can predict them. */
export function mockAzureIdentityIds(identityName: string): { clientId: string; principalId: string } {
    const hex = createHash("sha256").update(identityName).digest("hex");
    const guid = (h: string) => `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
    return { clientId: guid(hex.slice(0, 32)), principalId: guid(hex.slice(32, 64)) };
}

type State = Record<string, unknown>;
type Inputs = Record<string, unknown>;

export class FluxIdentityMocks implements pulumi.runtime.Mocks {
    readonly settings: FluxIdentityMockSettings;
    private readonly own: Partial<pulumi.runtime.Mocks>;

    constructor(options: FluxIdentityMocksOptions = {}) {
        this.settings = {
            aws: { accountId: options.aws?.accountId ?? "123456789012", partition: options.aws?.partition ?? "aws" },
            azure: { subscriptionId: options.azure?.subscriptionId ?? "00000000-0000-4000-8000-000000000001", tenantId: options.azure?.tenantId ?? "00000000-0000-4000-8000-0000000000aa" },
            gcp: { projectNumber: options.gcp?.projectNumber ?? "123456789012", projectNumbers: { ...options.gcp?.projectNumbers } },
        };
        this.own = options.mocks ?? {};
    }

    /** The number the mocked GCP reports for `projectId`. */
    gcpProjectNumber(projectId: string): string {
        return this.settings.gcp.projectNumbers[projectId] ?? this.settings.gcp.projectNumber;
    }

    newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult | Promise<pulumi.runtime.MockResourceResult> {
        const merge = (own: pulumi.runtime.MockResourceResult | undefined): pulumi.runtime.MockResourceResult => {
            const { id, state } = this.cloudOutputs(args.type, args.name, (args.inputs ?? {}) as Inputs);
            // A read (`Resource.get`) keeps the ID asked for; a new resource has an empty one.
            return { id: own?.id || args.id || id, state: { ...state, ...own?.state } };
        };
        const own = this.own.newResource?.(args);
        return own instanceof Promise ? own.then(merge) : merge(own);
    }

    call(args: pulumi.runtime.MockCallArgs): pulumi.runtime.MockCallResult | Promise<pulumi.runtime.MockCallResult> {
        const inputs = (args.inputs ?? {}) as Inputs;
        const { aws, azure } = this.settings;
        switch (args.token) {
            case FLUX_IDENTITY_INVOKES.awsCallerIdentity:
                return { accountId: aws.accountId, arn: `arn:${aws.partition}:iam::${aws.accountId}:user/pulumi-mocks`, userId: "AIDAMOCKEDUSER", id: aws.accountId };
            case FLUX_IDENTITY_INVOKES.azureClientConfig:
                return { subscriptionId: azure.subscriptionId, tenantId: azure.tenantId, clientId: "11111111-1111-4111-8111-111111111111", objectId: "22222222-2222-4222-8222-222222222222" };
            case FLUX_IDENTITY_INVOKES.gcpProject: {
                const projectId = String(inputs.projectId);
                return { projectId, number: this.gcpProjectNumber(projectId), name: projectId, id: `projects/${projectId}` };
            }
        }
        return this.own.call ? this.own.call(args) : inputs;
    }

    /** The ID and outputs the cloud would give a resource of `type` created with `inputs`. */
    private cloudOutputs(type: string, name: string, inputs: Inputs): { id: string; state: State } {
        const { aws, azure } = this.settings;
        const state: State = { ...inputs };
        const str = (key: string, fallback = name) => (typeof inputs[key] === "string" ? (inputs[key] as string) : fallback);
        switch (type) {
            case "aws:iam/role:Role": {
                const roleName = str("name");
                state.name = roleName;
                state.arn = `arn:${aws.partition}:iam::${aws.accountId}:role${str("path", "/")}${roleName}`;
                return { id: roleName, state };
            }
            case "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
                state.arn = `arn:${aws.partition}:iam::${aws.accountId}:oidc-provider/${str("url").replace(/^https:\/\//, "")}`;
                return { id: state.arn as string, state };
            case "aws:s3/bucket:Bucket":
                Object.assign(state, { bucket: str("bucket"), arn: `arn:${aws.partition}:s3:::${str("bucket")}` });
                return { id: str("bucket"), state };
            case AZURE_MANAGED_IDENTITY: {
                const identityName = str("resourceName");
                const id = `/subscriptions/${azure.subscriptionId}/resourceGroups/${str("resourceGroupName")}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${identityName}`;
                Object.assign(state, mockAzureIdentityIds(identityName), { tenantId: azure.tenantId, name: identityName, id });
                return { id, state };
            }
            case "azure-native:authorization:RoleAssignment": {
                const id = `${str("scope")}/providers/Microsoft.Authorization/roleAssignments/${str("roleAssignmentName")}`;
                return { id, state: { ...state, name: str("roleAssignmentName"), id } };
            }
            case "gcp:serviceaccount/account:Account": {
                const email = `${str("accountId")}@${str("project")}.iam.gserviceaccount.com`;
                Object.assign(state, { email, member: `serviceAccount:${email}`, name: `projects/${str("project")}/serviceAccounts/${email}` });
                return { id: state.name as string, state };
            }
            case "gcp:iam/workloadIdentityPool:WorkloadIdentityPool":
                state.name = `projects/${this.gcpProjectNumber(str("project"))}/locations/global/workloadIdentityPools/${str("workloadIdentityPoolId")}`;
                return { id: state.name as string, state };
            case "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider":
                state.name = `projects/${this.gcpProjectNumber(str("project"))}/locations/global/workloadIdentityPools/${str("workloadIdentityPoolId")}/providers/${str("workloadIdentityPoolProviderId")}`;
                return { id: state.name as string, state };
            case "gcp:projects/iAMCustomRole:IAMCustomRole":
                state.name = `projects/${str("project")}/roles/${str("roleId")}`;
                return { id: state.name as string, state };
        }
        return { id: `${name}-id`, state };
    }
}

/** Mocks for a program using flux-identity; pass them to `pulumi.runtime.setMocks`. */
export function fluxIdentityMocks(options: FluxIdentityMocksOptions = {}): FluxIdentityMocks {
    return new FluxIdentityMocks(options);
}

/**
 * The value of an output, for assertions: settles when `apply` would run, and rejects (instead of never
 * settling) when the output failed, so a test reports the component's error rather than timing out.
 */
export function outputValue<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
        output.apply((v) => {
            resolve(v);
            return v;
        });
        // Pulumi's Output keeps a promise of its value that rejects when the output failed; `apply` never runs then.
        (output as unknown as { promise?: () => Promise<unknown> }).promise?.().catch(reject);
    });
}
