package dev.ferry.client.sync;

/** What a sync reports as it goes; the summary line, the JSON report and the progress bar listen. */
public interface SyncListener {

    SyncListener NONE = new SyncListener() {
    };

    /** A file was sent (or, with --dry-run, would be); {@code how} is "delta", "whole", "link" (a symbolic link made again) or "dry-run". */
    default void sent(String path, String how, long size, long literalBytes, long matchedBytes) {
    }

    /** A file was left alone: it already matched. */
    default void skipped(String path, long size) {
    }

    /** An extraneous file or directory was deleted (or would be, with --dry-run). */
    default void deleted(String path, boolean dryRun) {
    }

    /** A file failed; the sync goes on with the next one. */
    default void failed(String path, String reason) {
    }

    /** Something the user should know once (the server has no ferry-delta, say). */
    default void note(String text) {
    }
}
