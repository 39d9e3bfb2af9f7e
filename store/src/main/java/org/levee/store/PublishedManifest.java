package org.levee.store;

/**
 * The manifest as read from etcd.
 *
 * @param manifest the decoded manifest
 * @param modRevision the revision at which it was written
 * @param json the stored bytes exactly (what a signature covers)
 */
public record PublishedManifest(RulesetManifest manifest, long modRevision, byte[] json) {
    public PublishedManifest {
        json = json.clone();
    }

    @Override
    public byte[] json() {
        return json.clone();
    }
}
