// Component provider entry point for Pulumi's Node.js runtime (`pulumi package add ./provider` where the
// Node.js language host is installed): the schema is inferred from the components' Args interfaces.
// Without that host, the plugin executable `pulumi-resource-flux-identity` serves the same components.
import { componentProviderHost } from "@pulumi/pulumi/provider/experimental";
import { COMPONENTS, PROVIDER_NAME } from "./src/plugin/components";

componentProviderHost({ components: COMPONENTS, name: PROVIDER_NAME, dirname: __dirname }).catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
});
