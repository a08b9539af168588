// The components as a Node.js component provider (componentProviderHost infers the schema from their Args
// interfaces at start-up). Schema inference for provider/schema.json (`npm run gen-sdk`) starts from this
// file too (package.json main); the plugin executable pulumi-resource-flux-identity serves the same
// components with that committed schema, and needs no Pulumi language host.
import { componentProviderHost } from "@pulumi/pulumi/provider/experimental";
import { COMPONENTS, PROVIDER_NAME } from "./src/plugin/components";

componentProviderHost({ components: COMPONENTS, name: PROVIDER_NAME, dirname: __dirname }).catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
});
