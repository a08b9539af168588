/**
 * One answer per program run, provider and question for the invokes the components make to check their
 * credentials (the AWS caller identity, the Azure client config, a GCP project): a program declaring a
 * fleet of clusters asks the cloud once per provider instead of once per cluster, and each component
 * still checks the answer against its own plan.
 *
 * A run is identified by its resource monitor (pulumi.runtime.getMonitor(): a new one per program run,
 * under the engine and under mocks alike), so answers never outlive the run that asked; without a
 * monitor every call invokes.
 */

import * as pulumi from "@pulumi/pulumi";

/** Per run (its monitor), per provider (undefined: the package's default), per token and key: the answer. */
const runs = new WeakMap<object, Map<pulumi.ProviderResource | undefined, Map<string, pulumi.Output<unknown>>>>();

/**
 * The answer of `invoke` for `parent`'s provider of `token`'s package and `key` (the invoke's
 * arguments), made by the first component that asks in this run.
 */
export function sharedInvoke<T>(parent: pulumi.Resource, token: string, key: string, invoke: () => pulumi.Output<T>): pulumi.Output<T> {
    const monitor = pulumi.runtime.getMonitor();
    if (monitor === undefined) return invoke();
    let providers = runs.get(monitor);
    if (!providers) {
        providers = new Map();
        runs.set(monitor, providers);
    }
    // The provider the invoke would use: the one `parent` passes down for the package (undefined: the default one).
    const provider = parent.getProvider(token);
    let answers = providers.get(provider);
    if (!answers) {
        answers = new Map();
        providers.set(provider, answers);
    }
    // Without a provider of their own, every package's invokes go to its default provider: the token tells them apart.
    const question = `${token}\0${key}`;
    let answer = answers.get(question) as pulumi.Output<T> | undefined;
    if (!answer) {
        answer = invoke();
        answers.set(question, answer);
    }
    return answer;
}
