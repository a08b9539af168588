/**
 * Property-based tests (fast-check): random and mutated specs end in a valid plan or a validation error,
 * never an uncaught exception; valid plans keep the security invariants; rendering is deterministic and
 * independent of the order the user lists things in.
 */
import { strict as assert } from "node:assert";
import fc from "fast-check";
import { dump, load } from "js-yaml";
import { FluxKind } from "../../provider/src/core/catalog";
import { SourceClusterType } from "../../provider/src/core/cluster";
import { FluxIdentityValidationError } from "../../provider/src/core/errors";
import { awsFluxPatchSet } from "../../provider/src/aws/patches";
import { AwsPlan, AwsPlanInput, planAws } from "../../provider/src/aws/plan";
import { describeAwsResources } from "../../provider/src/aws/resources";
import { AwsAccess, AwsAuthMethod, AwsRoleLayout, AwsTenant } from "../../provider/src/aws/spec";
import { renderKustomization, renderTenantServiceAccounts } from "../../provider/src/flux/kustomization";
import { clusterPlanDocument, planCluster, planJson } from "../../provider/src/plan/cluster";
import { renderFleet } from "../../sdk/src/render/render";
import { loadFleet, parseFleet } from "../../sdk/src/spec/fleet";
import { ISSUERS } from "../helpers/samples";
import { fromRoot } from "../helpers/paths";

const REGIONS: Array<[string, string]> = [
    ["us-east-1", "aws"],
    ["eu-central-1", "aws"],
    ["cn-northwest-1", "aws-cn"],
    ["us-gov-east-1", "aws-us-gov"],
];
const ACCOUNTS = ["123456789012", "000011112222"];
const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}[a-z0-9]$/);

function accessArb(partition: string, region: string, account: string, allowPublic: boolean): fc.Arbitrary<AwsAccess> {
    const some = <T>(a: fc.Arbitrary<T>) => fc.option(fc.array(a, { minLength: 1, maxLength: 2 }), { nil: undefined });
    const kinds = (k: FluxKind[]) => fc.option(fc.subarray(k, { minLength: 1 }), { nil: undefined });
    return fc
        .record({
            ecr: some(fc.record({ repositoryArns: fc.array(name.map((n) => `arn:${partition}:ecr:${region}:${account}:repository/${n}`), { minLength: 1, maxLength: 3 }), usedBy: kinds([FluxKind.OCIRepository, FluxKind.HelmRepository, FluxKind.ImageRepository]) })),
            ecrPublic: allowPublic ? fc.option(fc.record({ usedBy: kinds([FluxKind.OCIRepository, FluxKind.ImageRepository]) }), { nil: undefined }) : fc.constant(undefined),
            s3: some(fc.record({ bucketArns: fc.array(name.map((n) => `arn:${partition}:s3:::${n}-bkt`), { minLength: 1, maxLength: 2 }) })),
            kms: some(fc.record({ keyArns: fc.array(fc.uuid().map((u) => `arn:${partition}:kms:${region}:${account}:key/${u}`), { minLength: 1, maxLength: 2 }) })),
            eks: some(fc.record({ clusterArn: name.map((n) => `arn:${partition}:eks:${region}:${account}:cluster/${n}`), usedBy: kinds([FluxKind.Kustomization, FluxKind.HelmRelease]), kubernetesGroups: fc.option(fc.array(name, { maxLength: 2 }), { nil: undefined }) })),
            codecommit: some(fc.record({ repositoryArns: fc.array(name.map((n) => `arn:${partition}:codecommit:${region}:${account}:${n}`), { minLength: 1, maxLength: 2 }), usedBy: kinds([FluxKind.GitRepository, FluxKind.ImageUpdateAutomation]) })),
        })
        .map((a) => JSON.parse(JSON.stringify(a)) as AwsAccess);
}

/** Mostly valid inputs across cluster types, partitions, layouts, auth methods and tenants. */
const inputArb: fc.Arbitrary<AwsPlanInput> = fc
    .record({
        type: fc.constantFrom(SourceClusterType.Eks, SourceClusterType.Aks, SourceClusterType.Gke, SourceClusterType.Generic),
        region: fc.constantFrom(...REGIONS),
        account: fc.constantFrom(...ACCOUNTS),
        cluster: name,
        layout: fc.constantFrom(AwsRoleLayout.PerController, AwsRoleLayout.Shared),
        podIdentity: fc.boolean(),
        tenants: fc.nat({ max: 2 }),
        seed: fc.integer(),
    })
    .chain((r) => {
        const [region, partition] = r.region;
        const auth = r.podIdentity && r.type === SourceClusterType.Eks && r.tenants === 0 && partition === "aws" && region === "us-east-1" ? AwsAuthMethod.PodIdentity : AwsAuthMethod.Irsa;
        const tenant = fc.record({ namespace: name, serviceAccount: name, access: accessArb(partition, region, r.account, partition === "aws") });
        return fc.record({
            controllers: accessArb(partition, region, r.account, partition === "aws"),
            tenants: fc.uniqueArray(tenant, { minLength: r.tenants, maxLength: r.tenants, selector: (t) => `${t.namespace}/${t.serviceAccount}` }),
        }).map(({ controllers, tenants }): AwsPlanInput => ({
            cluster: { name: r.cluster, type: r.type, issuerUrl: r.type === SourceClusterType.Eks ? ISSUERS.eks : ISSUERS[r.type] },
            aws: {
                accountId: r.account,
                region,
                roleLayout: r.layout,
                authMethod: auth,
                controllers: Object.keys(controllers).length > 0 ? controllers : undefined,
                tenants: (tenants as AwsTenant[]).filter((t) => Object.keys(t.access ?? {}).length > 0),
            },
        }));
    });

/** Replaces or deletes one node of the input, chosen by index, with an arbitrary value. */
function mutate(input: unknown, index: number, replacement: unknown, remove: boolean): unknown {
    const copy = JSON.parse(JSON.stringify(input));
    const nodes: Array<{ parent: Record<string, unknown> | unknown[]; key: string | number }> = [];
    const walk = (node: unknown) => {
        if (Array.isArray(node)) node.forEach((v, i) => (nodes.push({ parent: node, key: i }), walk(v)));
        else if (node && typeof node === "object") for (const [k, v] of Object.entries(node)) nodes.push({ parent: node as Record<string, unknown>, key: k }), walk(v);
    };
    walk(copy);
    if (nodes.length === 0) return replacement;
    const { parent, key } = nodes[index % nodes.length];
    if (remove && !Array.isArray(parent)) delete (parent as Record<string, unknown>)[key as string];
    else (parent as Record<string | number, unknown>)[key] = replacement;
    return copy;
}

function planOrValidationError(input: unknown): AwsPlan | FluxIdentityValidationError {
    try {
        return planAws(input as AwsPlanInput);
    } catch (err) {
        if (err instanceof FluxIdentityValidationError) return err;
        throw err;
    }
}

function checkInvariants(plan: AwsPlan): void {
    const names = plan.roles.map((r) => r.name);
    assert.equal(new Set(names).size, names.length, "role names are unique");
    for (const r of plan.roles) {
        assert.ok(r.name.length <= 64 && /^[\w+=,.@-]+$/.test(r.name), r.name);
        for (const s of r.inlinePolicy?.Statement ?? []) {
            if (s.Resource === "*") assert.ok(["EcrAuthorizationToken", "EcrPublicAuthorizationToken"].includes(s.Sid ?? ""), `${s.Sid} uses *`);
        }
        assert.deepEqual(r.managedPolicyArns, []);
        const trust = r.trustPolicy.Statement[0];
        if (plan.authMethod === AwsAuthMethod.Irsa) {
            const cond = trust.Condition?.StringEquals ?? {};
            assert.deepEqual(Object.keys(cond).map((k) => k.split(":").pop()), ["aud", "sub"]);
            assert.equal(cond[`${plan.cluster.issuerHostPath}:aud`], "sts.amazonaws.com");
        }
    }
    const text = JSON.stringify(describeAwsResources(plan));
    for (const m of text.match(/arn:[a-z-]+:/g) ?? []) assert.equal(m, `arn:${plan.partition}:`);
}

describe("property-based checks", () => {
    it("valid random specs plan, keep the invariants, and render YAML that parses", () => {
        fc.assert(
            fc.property(inputArb, (input) => {
                const r = planOrValidationError(input);
                if (r instanceof FluxIdentityValidationError) {
                    // Only "nothing to grant" is expected from the generator (all access drawn empty).
                    assert.ok(r.issues.every((i) => /nothing to grant/.test(i.message)), r.message);
                    return;
                }
                checkInvariants(r);
                const set = awsFluxPatchSet(r);
                assert.equal((load(renderKustomization(set)) as { kind: string }).kind, "Kustomization");
                renderTenantServiceAccounts(set.tenantServiceAccounts);
            }),
            { numRuns: 300 },
        );
    });

    it("mutated specs end in a plan or a validation error with field paths, never another exception", () => {
        fc.assert(
            fc.property(inputArb, fc.nat(), fc.anything(), fc.boolean(), (input, index, replacement, remove) => {
                const r = planOrValidationError(mutate(input, index, replacement, remove));
                if (r instanceof FluxIdentityValidationError) {
                    assert.ok(r.issues.length > 0);
                    for (const i of r.issues) {
                        assert.ok(i.path.length > 0 && i.message.length > 0 && i.fix.length > 0, JSON.stringify(i));
                    }
                }
            }),
            { numRuns: 1000 },
        );
    });

    it("mutated fleet files end in a render or a validation error", () => {
        const fleet = load(dump(loadFleet(fromRoot("examples", "fleet.yaml"))));
        fc.assert(
            fc.property(fc.nat(), fc.anything(), fc.boolean(), (index, replacement, remove) => {
                const text = dump(mutate(fleet, index, replacement, remove), { skipInvalid: true });
                try {
                    renderFleet(parseFleet(text));
                } catch (err) {
                    if (!(err instanceof FluxIdentityValidationError)) throw err;
                }
            }),
            { numRuns: 300 },
        );
    });

    it("renders byte-identical output for the same input, whatever order lists and keys come in", () => {
        fc.assert(
            fc.property(inputArb, fc.integer(), (input, seed) => {
                const first = planOrValidationError(input);
                if (first instanceof FluxIdentityValidationError) return;
                const shuffled = shuffleDeep(input, seed) as AwsPlanInput;
                const spec = { ...input.cluster, aws: input.aws };
                const again = { ...shuffled.cluster, aws: shuffled.aws };
                const a = planCluster(spec);
                const b = planCluster(again);
                assert.equal(b.kustomizationYaml, a.kustomizationYaml);
                assert.equal(planJson(clusterPlanDocument(b)), planJson(clusterPlanDocument(a)));
                assert.equal(planCluster(spec).kustomizationYaml, a.kustomizationYaml);
            }),
            { numRuns: 200 },
        );
    });

    it("renders the example fleet byte-identically twice", () => {
        const a = renderFleet(loadFleet(fromRoot("examples", "fleet.yaml")));
        const b = renderFleet(loadFleet(fromRoot("examples", "fleet.yaml")));
        assert.deepEqual(
            b.map((c) => c.files),
            a.map((c) => c.files),
        );
    });
});

/** Shuffles arrays whose order carries no meaning (ARN lists, tenants, groups) and object key order. */
function shuffleDeep(value: unknown, seed: number): unknown {
    let s = seed >>> 0 || 1;
    const rand = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const orderless = new Set(["repositoryArns", "bucketArns", "keyArns", "tenants", "kubernetesGroups", "usedBy", "ecr", "s3", "kms", "eks", "codecommit"]);
    const walk = (v: unknown, key?: string): unknown => {
        if (Array.isArray(v)) {
            const items = v.map((x) => walk(x));
            if (key && orderless.has(key)) {
                for (let i = items.length - 1; i > 0; i--) {
                    const j = Math.floor(rand() * (i + 1));
                    [items[i], items[j]] = [items[j], items[i]];
                }
            }
            return items;
        }
        if (v && typeof v === "object") {
            const entries = Object.entries(v).map(([k, x]) => [k, walk(x, k)] as const);
            entries.sort(() => rand() - 0.5);
            return Object.fromEntries(entries);
        }
        return v;
    };
    return walk(value);
}
