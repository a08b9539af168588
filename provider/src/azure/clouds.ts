/** Azure clouds: the Entra ID authority host Flux's token exchange uses, and the token audience. */

import { AzureCloud } from "./spec";

/** Audience of the Kubernetes token exchanged with Entra ID, and of every federated credential. */
export const AZURE_TOKEN_AUDIENCE = "api://AzureADTokenExchange";

/** Authority hosts from the Flux Azure docs, keyed by cloud. */
export const AUTHORITY_HOSTS: Readonly<Record<Exclude<AzureCloud, AzureCloud.Private>, string>> = {
    [AzureCloud.Public]: "https://login.microsoftonline.com/",
    [AzureCloud.UsGovernment]: "https://login.microsoftonline.us/",
    [AzureCloud.China]: "https://login.chinacloudapi.cn/",
};
