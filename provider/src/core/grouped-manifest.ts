/**
 * Manifests meant for several remote clusters are rendered as one document stream, each cluster's part
 * opened by a comment line (`# Remote cluster <name> ...`). This splits such a stream back into one
 * manifest per remote cluster, each headed by what to do with it there.
 */

/** One remote cluster's part of a grouped manifest: its name and the documents to give it. */
export interface RemoteClusterPart {
    cluster: string;
    yaml: string;
}

/**
 * Splits `yaml` at lines matching `group` (whose first capture is the cluster's name); `header` writes the
 * comment that opens each part from the matching line's captures. Lines before the first group are dropped.
 */
export function splitGroupedManifest(yaml: string, group: RegExp, header: (match: RegExpExecArray) => string): RemoteClusterPart[] {
    const parts: RemoteClusterPart[] = [];
    let current: { match: RegExpExecArray; lines: string[] } | undefined;
    const finish = (c: { match: RegExpExecArray; lines: string[] }): RemoteClusterPart => {
        const body = c.lines.join("\n").replace(/\n+$/, "");
        return { cluster: c.match[1], yaml: `${header(c.match)}${body}\n` };
    };
    for (const line of yaml.split("\n")) {
        const match = group.exec(line);
        if (match) {
            if (current) parts.push(finish(current));
            current = { match, lines: [] };
        } else if (current) {
            current.lines.push(line);
        }
    }
    if (current) parts.push(finish(current));
    return parts;
}
