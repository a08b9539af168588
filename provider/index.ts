// Component provider entry point: serves the components to Pulumi programs in any language
// (`pulumi package add ./provider`). Schema inference reads the components' Args interfaces.
import { componentProviderHost } from "@pulumi/pulumi/provider/experimental";
import { AwsFluxIdentity } from "./src/aws/component";
import { AzureFluxIdentity } from "./src/azure/component";
import { GcpFluxIdentity } from "./src/gcp/component";
import { KubernetesFluxIdentity } from "./src/kubernetes/component";
import { FluxWorkloadIdentity } from "./src/workload-identity/component";
import { PublicOidcIssuer } from "./src/issuer/component";
import { FluxLiveCluster } from "./src/live/component";

componentProviderHost({ components: [AwsFluxIdentity, AzureFluxIdentity, GcpFluxIdentity, KubernetesFluxIdentity, FluxWorkloadIdentity, PublicOidcIssuer, FluxLiveCluster], name: "flux-identity", dirname: __dirname }).catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
});
