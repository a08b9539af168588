/**
 * Bounded concurrency: `limit` lanes, each taking the next item when its previous one settled. Items start
 * in input order, results come back in input order. Written here rather than taken from a library: the
 * installed candidates (p-map 7, promise-call-limit 3) are ESM-only transitive dependencies of npm's own
 * packages, not dependencies of this project.
 */

/**
 * Runs `worker` over `items` with at most `limit` calls in flight; resolves to the results in input order.
 * If a worker rejects, no further item starts and the first rejection is thrown once the calls in flight
 * have settled (the runner's workers never reject: they turn every failure into a result).
 */
export async function mapBounded<T, R>(items: readonly T[], limit: number, worker: (item: T, index: number) => Promise<R>): Promise<R[]> {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`concurrency limit must be a whole number of at least 1, got ${String(limit)}`);
    const results = new Array<R>(items.length);
    let next = 0;
    let failure: { error: unknown } | undefined;
    const lane = async (): Promise<void> => {
        while (failure === undefined && next < items.length) {
            const index = next++;
            try {
                results[index] = await worker(items[index], index);
            } catch (error) {
                failure ??= { error };
            }
        }
    };
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
    if (failure !== undefined) throw failure.error;
    return results;
}
