/**
 * Identity names of the three clouds: within each cloud's limits, deterministic, and, when a long
 * cluster name forces a cut, the cluster part goes first so the controller or tenant stays readable.
 */
import { strict as assert } from "node:assert";
import fc from "fast-check";
import { roleName } from "../../provider/src/aws/roles";
import { identityName } from "../../provider/src/azure/identities";
import { SERVICE_ACCOUNT_ID, serviceAccountId } from "../../provider/src/gcp/service-accounts";
import { FLUX_CONTROLLERS, controllerShortName } from "../../provider/src/core/catalog";
import { ResolvedSourceCluster, SourceClusterType } from "../../provider/src/core/cluster";
import { boundedName, distinctName, evenCaps } from "../../provider/src/core/names";

const cluster = (name: string): ResolvedSourceCluster => ({ name, type: SourceClusterType.Generic, issuerUrl: `https://issuer.example.com/${name}`, issuerHostPath: `issuer.example.com/${name}`, issuerHasPort: false });

type Readable = string | readonly string[];

/** The three clouds' identity name builders over one cluster, with each cloud's limits. */
const CLOUDS = [
    {
        cloud: "aws",
        max: 64,
        valid: /^[\w+=,.@-]{1,64}$/,
        prefixes: fc.stringMatching(/^[a-z0-9-]{0,32}$/),
        name: (prefix: string, c: string, key: string, readable: Readable) => roleName({ cluster: cluster(c), partition: "aws", accountId: "111122223333", region: "eu-west-1", namePrefix: prefix }, key, readable),
    },
    {
        cloud: "azure",
        max: 128,
        valid: /^[A-Za-z0-9_-]{3,128}$/,
        prefixes: fc.stringMatching(/^(?:[a-z0-9][a-z0-9-]{0,31})?$/),
        name: (prefix: string, c: string, key: string, readable: Readable) =>
            identityName({ cluster: cluster(c), fluxNamespace: "flux-system", tenantId: "t", subscriptionId: "s", resourceGroupName: "rg", location: "westeurope", namePrefix: prefix, baseTags: {} }, key, readable),
    },
    {
        cloud: "gcp",
        max: 30,
        valid: SERVICE_ACCOUNT_ID,
        prefixes: fc.stringMatching(/^[a-z][a-z0-9-]{0,9}$/),
        name: (prefix: string, c: string, key: string, readable: Readable) => serviceAccountId({ projectId: "fleet-prod", cluster: cluster(c), prefix }, key, readable),
    },
] as const;

const dnsLabel = (max: number) => fc.stringMatching(new RegExp(`^[a-z](?:[a-z0-9-]{0,${max - 2}}[a-z0-9])?$`));
const clusterName = dnsLabel(63);
const controller = fc.constantFrom(...FLUX_CONTROLLERS);
const HASH = /-[0-9a-f]{8}$/;

/** The name without its hash: what a human reads. */
const readable = (name: string) => name.replace(HASH, "");
/** What the prefix leaves when nothing else is: the room the controller must fit in. */
const fitsAlone = (max: number, prefix: string, part: string) => prefix.replace(/-+$/, "").length + (prefix ? 1 : 0) + part.length + 9 <= max;

describe("identity names (AWS roles, Azure identities, GCP service accounts)", () => {
    it("keep the controller readable when a long cluster name is cut: two roles of one cluster never read alike", () => {
        const long = "platform-team-production-westeurope-shared-services-aks-cluster"; // 63 characters
        for (const c of CLOUDS) {
            const source = c.name("flux-", long, "source-controller", "source");
            const kustomize = c.name("flux-", long, "kustomize-controller", "kustomize");
            assert.match(source, /-source-[0-9a-f]{8}$/, `${c.cloud}: ${source}`);
            assert.match(kustomize, /-kustomize-[0-9a-f]{8}$/, `${c.cloud}: ${kustomize}`);
            assert.notEqual(readable(source), readable(kustomize), c.cloud);
            assert.ok(source.length <= c.max && kustomize.length <= c.max, c.cloud);
        }
        // The cut the issue saw: the readable part cut from the end, so both roles read "...-aks-clu...".
        const before = (r: string) => boundedName([`flux-${long}-${r}`], r, { maxLength: 64, allowed: /[\w+=,.@-]/ });
        assert.equal(readable(before("source")), readable(before("kustomize")), "the old cut hid the controller");
        assert.equal(
            roleName({ cluster: cluster(long), partition: "aws", accountId: "111122223333", region: "eu-west-1", namePrefix: "flux-" }, "source-controller", "source").replace(HASH, ""),
            "flux-platform-team-production-westeurope-shared-source",
        );
    });

    it("cut a tenant's namespace and name evenly, each keeping its beginning", () => {
        const id = serviceAccountId({ projectId: "fleet-prod", cluster: cluster("dev"), prefix: "flux-" }, "tenant/payments-team/flux-reader", ["payments-team", "flux-reader"]);
        assert.equal(readable(id), "flux-payments-flux-re");
        const other = serviceAccountId({ projectId: "fleet-prod", cluster: cluster("dev"), prefix: "flux-" }, "tenant/payments-team/flux-writer", ["payments-team", "flux-writer"]);
        assert.equal(readable(other), "flux-payments-flux-wr");
    });

    for (const c of CLOUDS) {
        describe(c.cloud, () => {
            it("fit the cloud's rules, and the same input gives the same name", () => {
                fc.assert(
                    fc.property(c.prefixes, clusterName, controller, (prefix, name, ctrl) => {
                        const n = c.name(prefix, name, ctrl, controllerShortName(ctrl));
                        assert.ok(n.length <= c.max, n);
                        assert.match(n, c.valid);
                        assert.match(n, HASH);
                        assert.equal(c.name(prefix, name, ctrl, controllerShortName(ctrl)), n);
                    }),
                );
            });

            it("keep the whole controller name, cutting the cluster name first", () => {
                fc.assert(
                    fc.property(c.prefixes, clusterName, controller, (prefix, name, ctrl) => {
                        const short = controllerShortName(ctrl);
                        fc.pre(fitsAlone(c.max, prefix, short));
                        const r = readable(c.name(prefix, name, ctrl, short));
                        assert.ok(r.endsWith(short), `${r} hides ${short}`);
                        assert.ok(r.startsWith(prefix.replace(/-+$/, "")), `${r} lost the prefix ${prefix}`);
                    }),
                );
            });

            it("give two identities of one cluster readable names that differ", () => {
                const tenant = fc.tuple(dnsLabel(20), dnsLabel(20));
                const identity = fc.oneof(
                    controller.map((ctrl) => ({ key: ctrl, parts: [controllerShortName(ctrl)] })),
                    tenant.map(([ns, sa]) => ({ key: `tenant/${ns}/${sa}`, parts: [ns, sa] })),
                );
                fc.assert(
                    fc.property(clusterName, identity, identity, (name, a, b) => {
                        const ta = a.parts.join("-");
                        const tb = b.parts.join("-");
                        // Separators make "x-source" end like "source": such pairs are told apart by the hash only.
                        fc.pre(ta !== tb && !ta.endsWith(`-${tb}`) && !tb.endsWith(`-${ta}`));
                        fc.pre(fitsAlone(c.max, "flux-", ta) && fitsAlone(c.max, "flux-", tb));
                        const na = c.name("flux-", name, a.key, a.parts);
                        const nb = c.name("flux-", name, b.key, b.parts);
                        assert.notEqual(readable(na), readable(nb), `${na} and ${nb} read alike`);
                        assert.ok(readable(na).endsWith(ta) && readable(nb).endsWith(tb));
                    }),
                );
            });
        });
    }

    it("leave names that fit exactly as before (no rename for clusters with short names)", () => {
        fc.assert(
            fc.property(fc.stringMatching(/^[a-z0-9-]{0,10}$/), dnsLabel(30), fc.array(dnsLabel(12), { minLength: 1, maxLength: 3 }), fc.string(), (prefix, name, parts, seed) => {
                const joined = `${prefix}${name}-${parts.join("-")}`;
                fc.pre(joined.length + 9 <= 64);
                assert.equal(distinctName({ prefix, shared: name, distinct: parts }, seed, { maxLength: 64 }), boundedName([joined], seed, { maxLength: 64 }));
            }),
        );
    });

    it("share a budget evenly: longest parts cut first, never past the budget", () => {
        fc.assert(
            fc.property(fc.array(fc.nat(40), { minLength: 1, maxLength: 5 }), fc.nat(80), (lengths, budget) => {
                const caps = evenCaps(lengths, budget);
                caps.forEach((cap, i) => {
                    assert.ok(cap <= lengths[i]);
                    // A part that was cut is at most one character shorter than any other part's share.
                    if (cap < lengths[i]) for (const other of caps) assert.ok(other <= cap + 1, `${caps} for ${lengths} within ${budget}`);
                });
                if (lengths.reduce((a, b) => a + b, 0) > budget) assert.equal(caps.reduce((a, b) => a + b, 0), budget);
            }),
        );
    });
});
