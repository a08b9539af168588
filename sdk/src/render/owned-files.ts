/**
 * Files flux-identity owns in a folder it shares with others (a render output folder, a Flux
 * repository): each write records what it wrote, with a hash, in a manifest, so the next write can update
 * its own files, say which are unchanged, remove the ones no longer needed, and never touch a file it
 * did not write. A file changed by hand since it was written is not removed.
 *
 * Planning reads the folder and writes nothing, so every cluster of a run can be checked before the
 * first file is written.
 */

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, rmdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";

export const OWNED_FILES_API_VERSION = "flux-identity/v1alpha1";
export const OWNED_FILES_KIND = "OwnedFiles";

/** The record of what flux-identity wrote for one cluster: paths relative to the folder, with hashes. */
export interface OwnedFilesManifest {
    apiVersion: string;
    kind: typeof OWNED_FILES_KIND;
    cluster: string;
    note: string;
    /** Path (POSIX, relative to the folder) to `sha256:<hex>` of the content written. */
    files: Record<string, string>;
}

export type FileAction = "created" | "updated" | "unchanged" | "removed" | "kept";

export interface FileChange {
    /** Path relative to the folder (POSIX). */
    path: string;
    action: FileAction;
    /** Why a file was kept instead of removed. */
    reason?: string;
}

/** A file flux-identity must not overwrite; the write is refused. */
export interface FileConflict {
    path: string;
    message: string;
    fix: string;
}

export interface OwnedWriteRequest {
    /** The folder every path is relative to. */
    root: string;
    /** The manifest's path relative to `root`. */
    manifest: string;
    cluster: string;
    /** The files wanted, relative to `root`, in the order they are written. */
    files: Readonly<Record<string, string>>;
    /**
     * May a file at a wanted path that flux-identity did not write (or that changed since) be replaced?
     * Default: yes (an output folder). A Flux repository answers only for what it recognises.
     */
    mayReplace?: (rel: string, current: string, writtenBefore: boolean) => FileConflict | undefined;
}

export interface OwnedWritePlan {
    request: OwnedWriteRequest;
    changes: FileChange[];
    conflicts: FileConflict[];
    manifest: OwnedFilesManifest;
}

export function contentHash(text: string): string {
    return `sha256:${createHash("sha256").update(text).digest("hex")}`;
}

const MANIFEST_NOTE = "Files flux-identity wrote for this cluster. It updates and removes only these, and keeps any changed by hand. Do not edit.";

/** The manifest at `file`, or undefined when there is none or it is not flux-identity's. */
export function readOwnedManifest(file: string): OwnedFilesManifest | undefined {
    if (!existsSync(file)) return undefined;
    try {
        const data = JSON.parse(readFileSync(file, "utf8")) as Partial<OwnedFilesManifest>;
        if (data.kind !== OWNED_FILES_KIND || typeof data.files !== "object" || data.files === null || typeof data.cluster !== "string") return undefined;
        const files: Record<string, string> = {};
        for (const [k, v] of Object.entries(data.files)) if (typeof v === "string" && isInside(k)) files[k] = v;
        return { apiVersion: String(data.apiVersion), kind: OWNED_FILES_KIND, cluster: data.cluster, note: MANIFEST_NOTE, files };
    } catch {
        return undefined;
    }
}

/** A relative POSIX path that stays inside its folder (a manifest cannot point flux-identity elsewhere). */
function isInside(rel: string): boolean {
    return rel.length > 0 && !path.posix.isAbsolute(rel) && !rel.split("/").includes("..") && !rel.includes("\\");
}

function readIfExists(file: string): string | undefined {
    try {
        return readFileSync(file, "utf8");
    } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw err;
    }
}

/** What writing `request` would do: nothing is written. */
export function planOwnedWrite(request: OwnedWriteRequest): OwnedWritePlan {
    const previous = readOwnedManifest(path.join(request.root, request.manifest));
    const recorded = previous?.files ?? {};
    const changes: FileChange[] = [];
    const conflicts: FileConflict[] = [];
    const files: Record<string, string> = {};
    for (const [rel, text] of Object.entries(request.files)) {
        const current = readIfExists(path.join(request.root, rel));
        files[rel] = contentHash(text);
        if (current === undefined) {
            changes.push({ path: rel, action: "created" });
            continue;
        }
        if (current === text) {
            changes.push({ path: rel, action: "unchanged" });
            continue;
        }
        const ours = recorded[rel] === contentHash(current);
        if (!ours && request.mayReplace) {
            const conflict = request.mayReplace(rel, current, rel in recorded);
            if (conflict) conflicts.push(conflict);
        }
        changes.push({ path: rel, action: "updated" });
    }
    for (const [rel, hash] of Object.entries(recorded)) {
        if (rel in request.files) continue;
        const current = readIfExists(path.join(request.root, rel));
        if (current === undefined) continue;
        if (contentHash(current) === hash) changes.push({ path: rel, action: "removed" });
        else changes.push({ path: rel, action: "kept", reason: "changed by hand since flux-identity wrote it; it is yours now" });
    }
    return { request, changes, conflicts, manifest: { apiVersion: OWNED_FILES_API_VERSION, kind: OWNED_FILES_KIND, cluster: request.cluster, note: MANIFEST_NOTE, files } };
}

/**
 * Carries out a plan without conflicts: writes each changed file (to a temporary name, then renamed, so a
 * reader never sees half a file), removes stale ones and the folders they leave empty, then the manifest.
 */
export function applyOwnedWrite(plan: OwnedWritePlan): void {
    if (plan.conflicts.length > 0) throw new Error("applyOwnedWrite: the plan has conflicts; refuse the write instead");
    const { root } = plan.request;
    for (const change of plan.changes) {
        if (change.action !== "created" && change.action !== "updated") continue;
        writeAtomically(path.join(root, change.path), plan.request.files[change.path]);
    }
    for (const change of plan.changes) {
        if (change.action !== "removed") continue;
        rmSync(path.join(root, change.path), { force: true });
        removeEmptyFolders(root, path.dirname(path.join(root, change.path)));
    }
    const manifestFile = path.join(root, plan.request.manifest);
    if (Object.keys(plan.manifest.files).length > 0) {
        writeAtomically(manifestFile, JSON.stringify(plan.manifest, null, 2) + "\n");
    } else {
        rmSync(manifestFile, { force: true });
        removeEmptyFolders(root, path.dirname(manifestFile));
    }
}

function writeAtomically(file: string, text: string): void {
    mkdirSync(path.dirname(file), { recursive: true });
    const temporary = `${file}.flux-identity-${process.pid}.tmp`;
    writeFileSync(temporary, text);
    renameSync(temporary, file);
}

/** Removes `dir` and its parents while they are empty, stopping at `root`. */
export function removeEmptyFolders(root: string, dir: string): void {
    const top = path.resolve(root);
    let current = path.resolve(dir);
    while (current.startsWith(top + path.sep) && existsSync(current) && readdirSync(current).length === 0) {
        rmdirSync(current);
        current = path.dirname(current);
    }
}

/** Repository-style path (POSIX) of `parts`. */
export function posixPath(...parts: string[]): string {
    return path.posix.join(...parts);
}
