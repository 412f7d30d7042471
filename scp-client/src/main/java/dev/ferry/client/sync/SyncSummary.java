package dev.ferry.client.sync;

/**
 * What a sync did, for the final line and {@code --json}.
 *
 * @param fileBytes    bytes of the files that were sent
 * @param literalBytes new bytes that crossed the network (before compression)
 * @param matchedBytes bytes the receiver took from its old copies
 * @param wireSent     bytes this side sent on the transfer channels (SFTP whole copies count their size)
 */
public record SyncSummary(int files, int sent, int skipped, int deleted, int failed, long fileBytes,
        long literalBytes, long matchedBytes, long wireSent, long wireReceived, double seconds) {
}
