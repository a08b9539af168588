/**
 * Whether a stack is unchanged since its last successful update, from what the backend says (pure
 * functions over the Pulumi CLI's JSON):
 * - `pulumi stack ls --json` (one call per project): each stack's `lastUpdate`, the time its state was
 *   last written (by an update, refresh, destroy, import, state edit or cancel);
 * - `pulumi stack history --json --page-size 1`: the stack's last operation, its kind, result, message and
 *   times.
 * A stack is unchanged when its last operation is a succeeded `update` whose message records the
 * fingerprint (fingerprint.ts) and its state was last written while that update ran. A failed or
 * cancelled update, a refresh, a destroy, or any later write of the state (such as `pulumi state delete`)
 * makes it changed, so a record never outlives what it describes.
 */

import { fingerprintOfMessage } from "./fingerprint";

/** One entry of `pulumi stack ls --json`. */
export interface ListedStack {
    name: string;
    /** RFC 3339; absent for a stack that was never updated. */
    lastUpdate?: string;
    updateInProgress?: boolean;
    resourceCount?: number;
}

/** One entry of `pulumi stack history --json`. */
export interface HistoryEntry {
    kind: string;
    result: string;
    message?: string;
    startTime?: string;
    endTime?: string;
}

/** The entries of `pulumi stack ls --json`; throws on anything else. */
export function parseStackList(stdout: string): ListedStack[] {
    const parsed: unknown = JSON.parse(stdout);
    if (!Array.isArray(parsed)) throw new Error("pulumi stack ls --json did not print a list");
    return parsed.filter((e): e is ListedStack => typeof e === "object" && e !== null && typeof (e as ListedStack).name === "string");
}

/** The latest entry of `pulumi stack history --json`, undefined when there is none. */
export function parseLastHistoryEntry(stdout: string): HistoryEntry | undefined {
    const parsed: unknown = JSON.parse(stdout);
    if (!Array.isArray(parsed)) throw new Error("pulumi stack history --json did not print a list");
    const first = parsed[0] as HistoryEntry | undefined;
    return first && typeof first.kind === "string" && typeof first.result === "string" ? first : undefined;
}

/**
 * The listed entry of a stack. The CLI lists a project's stacks by their short name (self-managed
 * backends) or as `<org>/<project>/<stack>`; a qualified entry matches only the same organization.
 */
export function findListed(list: readonly ListedStack[], target: { project: string; stack: string; fullyQualified: string }): ListedStack | undefined {
    const org = target.fullyQualified.split("/").length === 3 ? target.fullyQualified.split("/")[0] : undefined;
    return list.find((e) => {
        const parts = e.name.split("/");
        if (parts.length === 1) return parts[0] === target.stack;
        if (parts.length === 3) return parts[2] === target.stack && parts[1] === target.project && (org === undefined || parts[0] === org);
        return false;
    });
}

function timeOf(text: string | undefined): number | undefined {
    if (typeof text !== "string") return undefined;
    const t = Date.parse(text);
    return Number.isFinite(t) ? t : undefined;
}

/** History times are whole seconds: an update that ended at 12:00:04.7 reads 12:00:04. */
const HISTORY_PRECISION_MS = 1000;

/**
 * Whether the stack's last operation (`entry`) is a succeeded update that recorded `fingerprint` and its
 * state (`listed.lastUpdate`) was last written while that update ran.
 */
export function recordsFingerprint(entry: HistoryEntry | undefined, listed: ListedStack | undefined, fingerprint: string): boolean {
    if (!entry || !listed || listed.updateInProgress === true) return false;
    if (entry.kind !== "update" || entry.result !== "succeeded") return false;
    if (fingerprintOfMessage(entry.message) !== fingerprint) return false;
    const written = timeOf(listed.lastUpdate);
    const start = timeOf(entry.startTime);
    const end = timeOf(entry.endTime);
    if (written === undefined || start === undefined || end === undefined) return false;
    return written >= start - HISTORY_PRECISION_MS && written < end + HISTORY_PRECISION_MS;
}

/**
 * Whether the state write a listing shows (`lastUpdate`) happened between `startMs` and `endMs` (this
 * machine's clock around an update it ran), and differs from `before` (the listing before the update):
 * then that write was the update's own, since the stack was locked to it meanwhile. The listing may
 * round down to seconds, hence the start's second counts.
 */
export function writtenDuring(lastUpdate: string | undefined, startMs: number, endMs: number, before?: string): boolean {
    const written = timeOf(lastUpdate);
    if (written === undefined || (before !== undefined && before === lastUpdate)) return false;
    return written >= Math.floor(startMs / HISTORY_PRECISION_MS) * HISTORY_PRECISION_MS && written <= endMs;
}
