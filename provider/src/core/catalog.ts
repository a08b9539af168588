/**
 * The catalog of Flux controllers, the Flux object kinds they reconcile, and the cloud integrations each
 * kind can use. Everything else derives "which controller needs which identity" from this table.
 */

/** A Flux controller: its Deployment and its ServiceAccount both carry this name. */
export enum FluxController {
    Source = "source-controller",
    Kustomize = "kustomize-controller",
    Helm = "helm-controller",
    Notification = "notification-controller",
    ImageReflector = "image-reflector-controller",
    ImageAutomation = "image-automation-controller",
}

/** Catalog order: every list of controllers the project renders follows it, so output is stable. */
export const FLUX_CONTROLLERS: readonly FluxController[] = [
    FluxController.Source,
    FluxController.Kustomize,
    FluxController.Helm,
    FluxController.Notification,
    FluxController.ImageReflector,
    FluxController.ImageAutomation,
];

/** A Flux object kind that can authenticate to a cloud. */
export enum FluxKind {
    OCIRepository = "OCIRepository",
    HelmRepository = "HelmRepository",
    Bucket = "Bucket",
    GitRepository = "GitRepository",
    ImageRepository = "ImageRepository",
    ImageUpdateAutomation = "ImageUpdateAutomation",
    /** SOPS decryption and remote-cluster apply. */
    Kustomization = "Kustomization",
    /** Remote-cluster apply. */
    HelmRelease = "HelmRelease",
    /** notification-controller's Provider (commit status, Event Hubs, Pub/Sub). */
    Provider = "Provider",
}

export const FLUX_KINDS: readonly FluxKind[] = Object.values(FluxKind);

/** Which controller reconciles a kind, and so whose identity the kind uses at controller level. */
export const KIND_CONTROLLER: Readonly<Record<FluxKind, FluxController>> = {
    [FluxKind.OCIRepository]: FluxController.Source,
    [FluxKind.HelmRepository]: FluxController.Source,
    [FluxKind.Bucket]: FluxController.Source,
    [FluxKind.GitRepository]: FluxController.Source,
    [FluxKind.ImageRepository]: FluxController.ImageReflector,
    [FluxKind.ImageUpdateAutomation]: FluxController.ImageAutomation,
    [FluxKind.Kustomization]: FluxController.Kustomize,
    [FluxKind.HelmRelease]: FluxController.Helm,
    [FluxKind.Provider]: FluxController.Notification,
};

export enum Cloud {
    Aws = "aws",
    Azure = "azure",
    Gcp = "gcp",
    /** Remote Kubernetes clusters whose API servers trust this cluster's issuer (kubeConfig provider: generic). */
    Kubernetes = "kubernetes",
    /** HashiCorp Vault or OpenBao: SOPS decryption with the transit engine, logged in with ServiceAccount tokens. */
    Vault = "vault",
}

/** One cloud service Flux integrates with, and the kinds that reach it. */
export interface Integration {
    readonly cloud: Cloud;
    /** The key under `controllers` / `tenants[].access` in the target's input. */
    readonly id: string;
    readonly service: string;
    /** Kinds that can use this integration. */
    readonly kinds: readonly FluxKind[];
    /**
     * Kinds assumed when the user lists none: only the primary use, so no controller gets an identity
     * it was not asked for.
     */
    readonly defaultKinds: readonly FluxKind[];
}

const K = FluxKind;

export const INTEGRATIONS: readonly Integration[] = [
    { cloud: Cloud.Aws, id: "ecr", service: "Amazon ECR", kinds: [K.OCIRepository, K.HelmRepository, K.ImageRepository], defaultKinds: [K.OCIRepository] },
    { cloud: Cloud.Aws, id: "ecrPublic", service: "Amazon ECR Public", kinds: [K.OCIRepository, K.HelmRepository, K.ImageRepository], defaultKinds: [K.OCIRepository] },
    { cloud: Cloud.Aws, id: "s3", service: "Amazon S3", kinds: [K.Bucket], defaultKinds: [K.Bucket] },
    { cloud: Cloud.Aws, id: "kms", service: "AWS KMS (SOPS)", kinds: [K.Kustomization], defaultKinds: [K.Kustomization] },
    { cloud: Cloud.Aws, id: "eks", service: "Amazon EKS (remote clusters)", kinds: [K.Kustomization, K.HelmRelease], defaultKinds: [K.Kustomization] },
    { cloud: Cloud.Aws, id: "codecommit", service: "AWS CodeCommit", kinds: [K.GitRepository, K.ImageUpdateAutomation], defaultKinds: [K.GitRepository] },

    { cloud: Cloud.Azure, id: "acr", service: "Azure Container Registry", kinds: [K.OCIRepository, K.HelmRepository, K.ImageRepository], defaultKinds: [K.OCIRepository] },
    { cloud: Cloud.Azure, id: "azureDevOps", service: "Azure DevOps", kinds: [K.GitRepository, K.ImageUpdateAutomation, K.Provider], defaultKinds: [K.GitRepository] },
    { cloud: Cloud.Azure, id: "blob", service: "Azure Blob Storage", kinds: [K.Bucket], defaultKinds: [K.Bucket] },
    { cloud: Cloud.Azure, id: "keyVault", service: "Azure Key Vault (SOPS)", kinds: [K.Kustomization], defaultKinds: [K.Kustomization] },
    { cloud: Cloud.Azure, id: "aks", service: "Azure Kubernetes Service (remote clusters)", kinds: [K.Kustomization, K.HelmRelease], defaultKinds: [K.Kustomization] },
    { cloud: Cloud.Azure, id: "eventHubs", service: "Azure Event Hubs", kinds: [K.Provider], defaultKinds: [K.Provider] },

    { cloud: Cloud.Gcp, id: "gar", service: "Google Artifact Registry", kinds: [K.OCIRepository, K.HelmRepository, K.ImageRepository], defaultKinds: [K.OCIRepository] },
    { cloud: Cloud.Gcp, id: "gcs", service: "Google Cloud Storage", kinds: [K.Bucket], defaultKinds: [K.Bucket] },
    { cloud: Cloud.Gcp, id: "kms", service: "Google Cloud KMS (SOPS)", kinds: [K.Kustomization], defaultKinds: [K.Kustomization] },
    { cloud: Cloud.Gcp, id: "gke", service: "Google Kubernetes Engine (remote clusters)", kinds: [K.Kustomization, K.HelmRelease], defaultKinds: [K.Kustomization] },
    { cloud: Cloud.Gcp, id: "pubsub", service: "Google Cloud Pub/Sub", kinds: [K.Provider], defaultKinds: [K.Provider] },

    { cloud: Cloud.Kubernetes, id: "remoteClusters", service: "Kubernetes API servers over OIDC (remote clusters)", kinds: [K.Kustomization, K.HelmRelease], defaultKinds: [K.Kustomization] },

    { cloud: Cloud.Vault, id: "transit", service: "Vault / OpenBao transit (SOPS)", kinds: [K.Kustomization], defaultKinds: [K.Kustomization] },
];

export function integrationsOf(cloud: Cloud): readonly Integration[] {
    return INTEGRATIONS.filter((i) => i.cloud === cloud);
}

export function findIntegration(cloud: Cloud, id: string): Integration | undefined {
    return INTEGRATIONS.find((i) => i.cloud === cloud && i.id === id);
}

/** Controllers serving the given kinds, in catalog order, without duplicates. */
export function controllersForKinds(kinds: Iterable<FluxKind>): FluxController[] {
    const wanted = new Set<FluxController>();
    for (const kind of kinds) {
        wanted.add(KIND_CONTROLLER[kind]);
    }
    return FLUX_CONTROLLERS.filter((c) => wanted.has(c));
}

export function sortControllers(controllers: Iterable<FluxController>): FluxController[] {
    const set = new Set(controllers);
    return FLUX_CONTROLLERS.filter((c) => set.has(c));
}

export function isFluxController(value: unknown): value is FluxController {
    return typeof value === "string" && (FLUX_CONTROLLERS as readonly string[]).includes(value);
}

export function isFluxKind(value: unknown): value is FluxKind {
    return typeof value === "string" && (FLUX_KINDS as readonly string[]).includes(value);
}

/** The short form used in cloud resource names: "source", "image-reflector", ... */
export function controllerShortName(controller: FluxController): string {
    return controller.replace(/-controller$/, "");
}
