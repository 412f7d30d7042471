package dev.ferry.delta.protocol;

/**
 * Every hard limit of the ferry-delta protocol in one place. The reader checks each one before it
 * allocates or reads what a length field announces, so a peer can make it hold at most one frame of
 * {@link #MAX_FRAME_LENGTH} bytes, whatever it claims.
 */
public final class Limits {

    private static final int KIB = 1024;
    private static final int MIB = 1024 * KIB;

    /**
     * The largest frame (type byte and body) either side accepts. The largest message that can be
     * built is a full signature batch, about 2.3 MiB; the rest leaves room for new fields.
     */
    public static final int MAX_FRAME_LENGTH = 4 * MIB + 64;

    /** A path, in bytes of UTF-8: Linux's PATH_MAX. */
    public static final int MAX_PATH_BYTES = 4096;

    /** Chunks in one signature batch: keeps a batch near 2 MiB with the longest digests. */
    public static final int MAX_CHUNKS_PER_BATCH = 65_536;

    /** Groups in one group batch of a two-level signature: about 590 KB. */
    public static final int MAX_GROUPS_PER_BATCH = 65_536;

    /** Chunks in one group ({@code dev.ferry.cdc.ChunkGroups} ends a group at this many). */
    public static final int MAX_GROUP_CHUNKS = 128;

    /**
     * Chunks in a two-level signature, at most: both sides keep per-chunk data in memory for it
     * (the receiver its digests, the sender its new file's chunks, about 24 bytes each: 48 MiB at
     * most), so an old or new file with more chunks is signed with one level.
     */
    public static final int MAX_GROUPED_CHUNKS = 1 << 21;

    /** Bytes of data in one literal message, compressed or not; a longer run is sent as several. */
    public static final int MAX_LITERAL_BYTES = MIB;

    /** The largest file (1 PiB): far beyond any use, and keeps size arithmetic away from overflow. */
    public static final long MAX_FILE_SIZE = 1L << 50;

    /** A failure reason, in bytes of UTF-8: one sentence for a user, not a stack trace. */
    public static final int MAX_FAILURE_BYTES = 1024;

    /**
     * The shortest chunk digest. A false match is caught by the whole-file digest and costs a
     * second pass with full digests, so the client cuts digests to what a file's chunk counts need
     * (see {@code dev.ferry.delta.FileChunking}); 32 bits are enough for a file of a few chunks.
     */
    public static final int MIN_DIGEST_BYTES = 4;

    /** The longest chunk digest: a full SHA-256 or BLAKE3 output. */
    public static final int MAX_DIGEST_BYTES = 32;

    /** The length of a whole-file SHA-256, the longest {@link FileDigest}. */
    public static final int SHA256_BYTES = 32;

    /** The smallest minimum chunk size a chunking spec may ask for (smaller makes signatures huge). */
    public static final int MIN_CHUNK_SIZE = 64;

    /** The largest chunk a spec may ask for, and the longest chunk a signature may describe. */
    public static final int MAX_CHUNK_SIZE = 16 * MIB;

    /**
     * A received file this large or larger is synced to disk before it replaces the old one; smaller
     * ones only when the sender asks ({@code OpenUpload.fsync}, ferry sync --fsync).
     */
    public static final long SYNC_FROM = 1 << 20;

    /** Entries in one listing batch: 512 of the longest paths still fit a frame. */
    public static final int MAX_LIST_BATCH = 512;

    /** Entries in one listing: ten million files and directories, about a gigabyte at the client. */
    public static final long MAX_LIST_ENTRIES = 10_000_000;

    /** Capabilities in one hello. */
    public static final int MAX_CAPABILITIES = 32;

    /** Bytes of one capability name. */
    public static final int MAX_CAPABILITY_BYTES = 32;

    /** File modes carry permission bits and setuid, setgid and sticky: nothing above 07777. */
    public static final int MAX_MODE = 07777;

    private Limits() {
    }
}
