/**
 * The components the flux-identity provider serves to other languages, by class. The Node.js-runtime
 * entry point (provider/index.ts) and the plugin executable (pulumi-resource-flux-identity) both serve
 * exactly these.
 */

import { AwsFluxIdentity } from "../aws/component";
import { AzureFluxIdentity } from "../azure/component";
import { GcpFluxIdentity } from "../gcp/component";
import { PublicOidcIssuer } from "../issuer/component";
import { KubernetesFluxIdentity } from "../kubernetes/component";
import { FluxLiveCluster } from "../live/component";
import { VaultFluxIdentity } from "../vault/component";
import { FluxWorkloadIdentity } from "../workload-identity/component";

export const PROVIDER_NAME = "flux-identity";

export const COMPONENTS = [AwsFluxIdentity, AzureFluxIdentity, GcpFluxIdentity, KubernetesFluxIdentity, VaultFluxIdentity, FluxWorkloadIdentity, PublicOidcIssuer, FluxLiveCluster];
