/** The runner's bounded-concurrency pool. */
import { strict as assert } from "node:assert";
import fc from "fast-check";
import { mapBounded } from "../../sdk/src/runner/pool";

const tick = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe("runner: bounded pool", () => {
    it("never has more than `limit` calls in flight, starts in order, returns in input order", async () => {
        await fc.assert(
            fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 25 }), fc.integer({ min: 1, max: 8 }), async (delays, limit) => {
                let inFlight = 0;
                let max = 0;
                const started: number[] = [];
                const results = await mapBounded(delays, limit, async (ms, i) => {
                    started.push(i);
                    inFlight++;
                    max = Math.max(max, inFlight);
                    await tick(ms);
                    inFlight--;
                    return i * 10;
                });
                assert.deepEqual(results, delays.map((_, i) => i * 10));
                assert.deepEqual(started, delays.map((_, i) => i));
                assert.ok(max <= limit, `max in flight ${max} > ${limit}`);
                if (delays.length >= limit) assert.equal(max, limit, "the limit is used");
            }),
            { numRuns: 30 },
        );
    });

    it("starts nothing after a rejection and throws it once the calls in flight settled", async () => {
        const started: number[] = [];
        const settled: number[] = [];
        await assert.rejects(
            mapBounded([0, 1, 2, 3, 4, 5], 2, async (i) => {
                started.push(i);
                await tick(i === 1 ? 1 : 10);
                settled.push(i);
                if (i === 1) throw new Error("boom");
                return i;
            }),
            /boom/,
        );
        assert.deepEqual(started, [0, 1]);
        assert.deepEqual(settled.sort(), [0, 1]);
    });

    it("catches workers that throw synchronously", async () => {
        await assert.rejects(mapBounded([1], 1, (() => {
            throw new Error("sync");
        }) as unknown as (n: number) => Promise<number>), /sync/);
    });

    it("refuses limits below 1 and handles empty input", async () => {
        await assert.rejects(mapBounded([1], 0, async (n) => n), RangeError);
        await assert.rejects(mapBounded([1], 1.5, async (n) => n), RangeError);
        assert.deepEqual(await mapBounded([], 3, async (n: number) => n), []);
    });
});
