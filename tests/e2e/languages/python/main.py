"""
The brought-identity cluster of examples/yaml-byo, declared in Python through the generated SDK
(pulumi_flux_identity) and the flux-identity plugin, in an inline Automation API program: no Python
language host, no Node.js language host.

    python main.py <backend-url> up|destroy

Prints one JSON object: the stack's outputs and the update's resource changes.
"""

import json
import sys

import pulumi
from pulumi import automation as auto

import pulumi_flux_identity as fi


def program() -> None:
    kind = fi.FluxWorkloadIdentity(
        "kind",
        cluster=fi.SourceClusterArgsArgs(
            name="kind-byo",
            type=fi.SourceClusterType.GENERIC,
            issuer_url="https://kind-byo-issuer.example.com",
        ),
        aws=fi.AwsTargetArgsArgs(
            account_id="111122223333",
            region="eu-west-1",
            existing_role_arns={"source-controller": "arn:aws:iam::111122223333:role/flux-kind-source"},
            tenants=[
                fi.AwsTenantArgs(
                    namespace="team-a",
                    service_account="flux-aws",
                    existing_role_arn="arn:aws:iam::111122223333:role/team-a-flux",
                    used_by=[fi.FluxKind.OCI_REPOSITORY, fi.FluxKind.KUSTOMIZATION],
                )
            ],
        ),
        azure=fi.AzureTargetOptionsArgs(
            tenant_id="72f988bf-86f1-41af-91ab-2d7cd011db47",
            subscription_id="3f2c1b0a-9e8d-4c7b-a6f5-e4d3c2b1a090",
            resource_group_name="flux-identities",
            location="westeurope",
            existing_identities={"source-controller": fi.AzureExistingIdentityArgs(client_id="1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e")},
        ),
    )
    pulumi.export("kustomizationYaml", kind.kustomization_yaml)
    pulumi.export("tenantServiceAccountsYaml", kind.tenant_service_accounts_yaml)
    pulumi.export("tenantRbacYaml", kind.tenant_rbac_yaml)
    pulumi.export("fluxObjectsYaml", kind.flux_objects_yaml)
    pulumi.export("awsRoleArns", kind.aws_role_arns)
    pulumi.export("azureClientIds", kind.azure_client_ids)
    pulumi.export("warnings", kind.warnings)


def main(backend_url: str, operation: str) -> None:
    project = "flux-identity-python-byo"
    stack = auto.create_or_select_stack(
        stack_name="dev",
        project_name=project,
        program=program,
        opts=auto.LocalWorkspaceOptions(
            project_settings=auto.ProjectSettings(name=project, runtime="python", backend=auto.ProjectBackend(url=backend_url)),
        ),
    )
    if operation == "up":
        result = stack.up(on_output=lambda line: print(line, file=sys.stderr))
        outputs = {key: value.value for key, value in result.outputs.items()}
        changes = result.summary.resource_changes or {}
    elif operation == "destroy":
        result = stack.destroy(on_output=lambda line: print(line, file=sys.stderr))
        outputs = {}
        changes = result.summary.resource_changes or {}
    else:
        raise SystemExit(f"unknown operation {operation!r}: up or destroy")
    print(json.dumps({"outputs": outputs, "changes": changes}))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit("usage: main.py <backend-url> up|destroy")
    main(sys.argv[1], sys.argv[2])
