/** Skips a test or suite with a reason printed at run time, so a skip never goes unnoticed. */
export function skipWithReason(ctx: Mocha.Context, reason: string): never {
    console.log(`      SKIPPED: ${reason}`);
    ctx.skip();
}
