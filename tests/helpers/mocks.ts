/**
 * Pulumi's own mock runtime, recording every registration with its parent and dependencies. The
 * answers are flux-identity/testing's (what users' tests get): resource IDs and ARNs come back the way
 * the clouds would form them, so outputs can be checked.
 */
import * as pulumi from "@pulumi/pulumi";
import { FluxIdentityMocks, mockAzureIdentityIds, outputValue } from "../../provider/src/testing";

export interface Registration {
    type: string;
    name: string;
    custom: boolean;
    inputs: Record<string, unknown>;
    parent: string;
    dependencies: string[];
    urn: string;
}

interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getDependenciesList(): string[];
    getCustom(): boolean;
}

// The mock monitor does not pass parents or dependencies to Mocks.newResource; record them here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const mocksModule = require("@pulumi/pulumi/runtime/mocks") as { MockMonitor: { prototype: Record<string, unknown> } };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };
let current: RecordingMocks | undefined;
const original = mocksModule.MockMonitor.prototype.registerResource as (this: unknown, req: RegisterRequest, cb: unknown) => Promise<void>;
mocksModule.MockMonitor.prototype.registerResource = function (this: unknown, req: RegisterRequest, cb: unknown) {
    current?.pending.push({ type: req.getType(), name: req.getName(), parent: req.getParent(), dependencies: req.getDependenciesList(), custom: req.getCustom() });
    return original.call(this, req, cb);
};

/**
 * flux-identity/testing's mocks (the answers the components' credential checks need, the clouds'
 * outputs), recording every registration, and answering the example programs' cluster lookups.
 */
export class RecordingMocks extends FluxIdentityMocks {
    readonly registrations: Registration[] = [];
    readonly pending: Array<Omit<Registration, "inputs" | "urn">> = [];

    /** Issuer the mocked EKS API reports for any cluster. */
    eksIssuer = "https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";

    constructor(account = "123456789012", partition: "aws" | "aws-cn" | "aws-us-gov" = "aws") {
        // Every mocked GCP project has `account` (12 digits) as its project number.
        super({ aws: { accountId: account, partition }, gcp: { projectNumber: account }, mocks: { call: (args) => this.clusterLookup(args) } });
    }

    get account(): string {
        return this.settings.aws.accountId;
    }

    get partition(): string {
        return this.settings.aws.partition;
    }

    /** Subscription and tenant the mocked Azure credentials belong to. */
    get azureSubscription(): string {
        return this.settings.azure.subscriptionId;
    }
    set azureSubscription(value: string) {
        this.settings.azure.subscriptionId = value;
    }
    get azureTenant(): string {
        return this.settings.azure.tenantId;
    }
    set azureTenant(value: string) {
        this.settings.azure.tenantId = value;
    }

    /** The client and principal IDs the mocked Azure assigns a managed identity: derived from its name. */
    static azureIds(identityName: string): { clientId: string; principalId: string } {
        return mockAzureIdentityIds(identityName);
    }

    override newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, unknown> } {
        const meta = this.pending.find((p) => p.type === args.type && p.name === args.name);
        // Same rule as the mock monitor's own URNs: the parent's last type qualifies the child's.
        const parentType = meta?.parent ? (meta.parent.split("::")[2].split("$").pop() as string) : "";
        const urn = `urn:pulumi:test::flux-identity::${parentType ? parentType + "$" : ""}${args.type}::${args.name}`;
        this.registrations.push({
            type: args.type,
            name: args.name,
            custom: args.custom ?? true,
            inputs: args.inputs as Record<string, unknown>,
            parent: meta?.parent ?? "",
            dependencies: meta?.dependencies ?? [],
            urn,
        });
        return super.newResource(args) as { id: string; state: Record<string, unknown> };
    }

    /** The cluster lookups of the example programs (EKS, AKS, GKE); any other invoke returns nothing. */
    private clusterLookup(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
        if (args.token === "aws:eks/getCluster:getCluster") {
            const name = (args.inputs as { name: string }).name;
            return { name, arn: `arn:${this.partition}:eks:us-east-1:${this.account}:cluster/${name}`, identities: [{ oidcs: [{ issuer: this.eksIssuer }] }] };
        }
        if (args.token === "azure-native:containerservice:getManagedCluster") {
            // OIDC issuer and workload identity enabled; the issuer is derived from the tenant and cluster name.
            const { resourceGroupName, resourceName } = args.inputs as { resourceGroupName: string; resourceName: string };
            const issuerURL = `https://westeurope.oic.prod-aks.azure.com/${this.azureTenant}/${RecordingMocks.azureIds(resourceName).clientId}/`;
            return {
                name: resourceName,
                id: `/subscriptions/${this.azureSubscription}/resourceGroups/${resourceGroupName}/providers/Microsoft.ContainerService/managedClusters/${resourceName}`,
                location: "westeurope",
                oidcIssuerProfile: { enabled: true, issuerURL },
                securityProfile: { workloadIdentity: { enabled: true } },
            };
        }
        if (args.token === "gcp:container/getCluster:getCluster") {
            // Workload Identity Federation for GKE enabled, with the project's default workload pool.
            const { name, location, project } = args.inputs as { name: string; location: string; project: string };
            return {
                name,
                location,
                project,
                selfLink: `https://container.googleapis.com/v1/projects/${project}/locations/${location}/clusters/${name}`,
                workloadIdentityConfigs: [{ workloadPool: `${project}.svc.id.goog` }],
            };
        }
        return {};
    }

    custom(): Registration[] {
        return this.registrations.filter((r) => r.custom);
    }
}

/** Installs fresh mocks and returns them. */
export async function useMocks(account?: string, partition?: "aws" | "aws-cn" | "aws-us-gov", project = "flux-identity"): Promise<RecordingMocks> {
    const mocks = new RecordingMocks(account, partition);
    current = mocks;
    await pulumi.runtime.setMocks(mocks, project, "test", false);
    return mocks;
}

export const valueOf = outputValue;

/** Waits until every registration the program started has reached the mock monitor. */
export async function settle(): Promise<void> {
    await settings.waitForRPCs();
}

/**
 * After a test that makes registrations fail on purpose, drops the runtime's record of their pending
 * promises so the runtime does not report them as leaks when mocha exits.
 */
export function forgetFailedRegistrations(): void {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require("@pulumi/pulumi/runtime/debuggable") as { leakedPromises(): unknown }).leakedPromises();
}

/**
 * Runs `start`, waits (with `wait`) for the failed registrations it provokes, and returns the unhandled
 * rejections they raised; afterwards drops their record so the runtime does not report them as leaks.
 */
export async function failedRegistrations(start: () => void, wait: (errors: unknown[]) => Promise<void>): Promise<unknown[]> {
    const errors: unknown[] = [];
    const onRejection = (e: unknown) => errors.push(e);
    process.on("unhandledRejection", onRejection);
    try {
        start();
        await wait(errors);
    } finally {
        process.off("unhandledRejection", onRejection);
        forgetFailedRegistrations();
    }
    return errors;
}

/** Waits for the first rejection (at most a second), then a little longer for the rest. */
export async function untilRejected(errors: unknown[]): Promise<void> {
    for (let i = 0; i < 50 && errors.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 100));
}

// ---------------------------------------------------------------------------------------------------
// Kubernetes reads (live-cluster mode). `Resource.get` reaches Mocks.newResource through the mock
// monitor's readResource, with `id` set to the ID asked for; these mocks answer such reads from a map of
// live objects and record them apart from registrations, so `custom()` still lists only what is written.
// ---------------------------------------------------------------------------------------------------

export class KubernetesReadMocks extends RecordingMocks {
    /** Live objects keyed `<type token> <id>`, for example `kubernetes:apps/v1:Deployment flux-system/source-controller`. */
    readonly liveObjects = new Map<string, Record<string, unknown>>();
    /** Reads answered, as `<type token> <id>`, in the order they arrived. */
    readonly reads: string[] = [];
    /** The provider reference each resource (written or read) was registered with, by resource name. */
    readonly providers = new Map<string, string>();
    /** Names of the resources registered with `retainOnDelete: true`. */
    readonly retainedOnDelete = new Set<string>();

    setLive(type: string, id: string, object: Record<string, unknown>): void {
        this.liveObjects.set(`${type} ${id}`, JSON.parse(JSON.stringify(object)));
    }

    override newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, unknown> } {
        this.providers.set(args.name, args.provider ?? "");
        if (args.id) {
            const key = `${args.type} ${args.id}`;
            const live = this.liveObjects.get(key);
            if (live === undefined) throw new Error(`the mocked cluster has no ${key}`);
            this.reads.push(key);
            return { id: args.id, state: JSON.parse(JSON.stringify(live)) };
        }
        return super.newResource(args);
    }
}

// The mock monitor passes no resource options to Mocks.newResource; record retainOnDelete here.
const registerWithRecording = mocksModule.MockMonitor.prototype.registerResource as (this: unknown, req: RegisterRequest & { getRetainondelete(): boolean | undefined }, cb: unknown) => Promise<void>;
mocksModule.MockMonitor.prototype.registerResource = function (this: unknown, req: RegisterRequest & { getRetainondelete(): boolean | undefined }, cb: unknown) {
    if (current instanceof KubernetesReadMocks && req.getRetainondelete()) current.retainedOnDelete.add(req.getName());
    return registerWithRecording.call(this, req, cb);
};

/** Installs fresh mocks that also answer Kubernetes reads, and returns them. */
export async function useKubernetesMocks(project = "flux-identity"): Promise<KubernetesReadMocks> {
    const mocks = new KubernetesReadMocks();
    current = mocks;
    await pulumi.runtime.setMocks(mocks, project, "test", false);
    return mocks;
}
