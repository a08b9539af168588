// Loaded by mocha before every test file (.mocharc.json "require"): property tests draw from one seed
// per run, fixed unless FC_SEED says otherwise, so a run can be repeated exactly and CI does not fail on a
// different draw each time. Explore other draws with FC_SEED=<n> npm test; a failure prints its seed.
import fc from "fast-check";

const DEFAULT_SEED = 20261122;
const fromEnv = process.env.FC_SEED;
const seed = fromEnv === undefined || fromEnv === "" ? DEFAULT_SEED : fromEnv === "random" ? Date.now() ^ (Math.random() * 0x7fffffff) : Number(fromEnv);
if (!Number.isSafeInteger(seed)) {
    throw new Error(`FC_SEED must be an integer or "random", got ${JSON.stringify(fromEnv)}`);
}
fc.configureGlobal({ seed });
console.log(`property tests: fast-check seed ${seed}${fromEnv ? " (FC_SEED)" : " (fixed; FC_SEED=<n>|random to change)"}`);
