package dev.ferry.delta.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A message that breaks a rule cannot be built, and the exception says which rule in one sentence. */
class MessageValidationTest {

    static Stream<Arguments> invalidMessages() {
        return Stream.of(
                invalid("a protocol version of 0 is below the minimum of 1", () -> new Hello(0, Set.of())),
                invalid("a capability must be 1 to 32 characters of a-z, 0-9, '.', '_' and '-', starting with a letter or digit",
                        () -> new Hello(1, Set.of("Zstd"))),
                invalid("a capability must be 1 to 32 characters of a-z, 0-9, '.', '_' and '-', starting with a letter or digit",
                        () -> new Hello(1, Set.of(""))),
                invalid("a hello of 33 capabilities exceeds the limit of 32", () -> new Hello(1, names(33))),
                invalid("a failure reason may not be empty", () -> new Failure("")),
                invalid("a failure reason may not contain control characters", () -> new Failure("a\u001b[2Jb")),
                invalid("a failure reason of 1025 bytes exceeds the limit of 1024", () -> new Failure("x".repeat(1025))),
                invalid("a minimum chunk size of 10 bytes is below the minimum of 64",
                        () -> new ChunkingSpec(1, 10, 8192, 65536, 8)),
                invalid("a maximum chunk size of 16777217 bytes exceeds the limit of 16777216",
                        () -> new ChunkingSpec(1, 2048, 8192, Limits.MAX_CHUNK_SIZE + 1, 8)),
                invalid("chunk sizes must be ordered minimum <= average <= maximum, got 4096, 2048 and 65536",
                        () -> new ChunkingSpec(1, 4096, 2048, 65536, 8)),
                invalid("a digest of 3 bytes is below the minimum of 4", () -> new ChunkingSpec(1, 64, 64, 64, 3)),
                invalid("a chunker version of 0 is below the minimum of 1", () -> new ChunkingSpec(0, 64, 64, 64, 8)),
                invalid("a path may not be empty", () -> new OpenDownload("", 8192, 8, false)),
                invalid("a path may not contain a NUL character", () -> new OpenDownload("a\0b", 8192, 8, false)),
                invalid("a path of 4097 bytes exceeds the limit of 4096", () -> new OpenDownload("x".repeat(4097), 8192, 8, false)),
                invalid("a path of 4098 bytes exceeds the limit of 4096", () -> new OpenDownload("é".repeat(2049), 8192, 8, false)),
                invalid("a path must be valid Unicode text (it holds an unpaired surrogate)",
                        () -> new OpenDownload("bad\ud800", 8192, 8, false)),
                invalid("a file size may not be negative, got -1", () -> new OpenUpload("f", -1, 0644, 0, 8192, 8, SignatureRequest.FULL)),
                invalid("a file size of 1125899906842625 bytes exceeds the limit of 1125899906842624",
                        () -> new OpenUpload("f", Limits.MAX_FILE_SIZE + 1, 0644, 0, 8192, 8, SignatureRequest.FULL)),
                invalid("a file mode must be within 0 and 07777 (octal), got 010000", () -> new OpenUpload("f", 0, 010000, 0, 8192, 8, SignatureRequest.FULL)),
                invalid("a file mode must be within 0 and 07777 (octal), got -1", () -> new OpenUpload("f", 0, -1, 0, 8192, 8, SignatureRequest.FULL)),
                invalid("a digest of 33 bytes exceeds the limit of 32", () -> new SignatureBatch(33, 1, new byte[33])),
                invalid("a digest of 3 bytes is below the minimum of 4", () -> new SignatureBatch(3, 1, new byte[3])),
                invalid("a signature batch of 0 chunks is below the minimum of 1", () -> new SignatureBatch(8, 0, d8x(0))),
                invalid("a signature batch of 12 bytes is not a whole number of 8-byte digests",
                        () -> new SignatureBatch(8, 1, new byte[12])),
                invalid("a signature batch of 1 byte is below the minimum of 2", () -> new SignatureBatch(8, 1, d8x(2))),
                invalid("a signature batch of 33554433 bytes exceeds the limit of 33554432",
                        () -> new SignatureBatch(8, 2L * Limits.MAX_CHUNK_SIZE + 1, d8x(2))),
                invalid("an average chunk size must be a power of two, got 3000",
                        () -> new OpenDownload("f", 3000, 8, false)),
                invalid("an average chunk size of 32 bytes is below the minimum of 64",
                        () -> new OpenUpload("f", 0, 0644, 0, 32, 8, SignatureRequest.FULL)),
                invalid("a listed path must be names below the listed directory, got \"../etc/passwd\"",
                        () -> new ListEntry("../etc/passwd", false, 1, 0, 0644)),
                invalid("a listed path must be names below the listed directory, got \"/etc/passwd\"",
                        () -> new ListEntry("/etc/passwd", false, 1, 0, 0644)),
                invalid("a listed path must be names below the listed directory, got \"a//b\"",
                        () -> new ListEntry("a//b", false, 1, 0, 0644)),
                invalid("a listed path must be names below the listed directory, got \"a/./b\"",
                        () -> new ListEntry("a/./b", false, 1, 0, 0644)),
                invalid("a listed path must be names below the listed directory, got \"a/\"",
                        () -> new ListEntry("a/", true, 0, 0, 0755)),
                invalid("a path may not be empty", () -> new ListEntry("", true, 0, 0, 0755)),
                invalid("a file size may not be negative, got -1", () -> new ListEntry("f", false, -1, 0, 0644)),
                invalid("a path may not be empty", () -> ListEntry.link("l", 0, 0777, "")),
                invalid("a path may not contain a NUL character", () -> ListEntry.link("l", 0, 0777, "a\0b")),
                invalid("a listed link has no size and is not a directory",
                        () -> new ListEntry("l", true, 0, 0, 0777, "target")),
                invalid("a listed link has no size and is not a directory",
                        () -> new ListEntry("l", false, 5, 0, 0777, "target")),
                invalid("a listing batch of 0 entries is below the minimum of 1", () -> new ListBatch(List.of())),
                invalid("a listing batch of 513 entries exceeds the limit of 512",
                        () -> new ListBatch(Collections.nCopies(513, new ListEntry("f", false, 0, 0, 0)))),
                invalid("a listing may not be negative, got -1", () -> new ListEnd(-1)),
                invalid("a path may not be empty", () -> new ListRequest("")),
                invalid("a signature batch of 65537 chunks exceeds the limit of 65536",
                        () -> new SignatureBatch(8, 65537, d8x(65537))),
                invalid("a signature without an old file must have size 0 and no chunks", () -> new SignatureEnd(false, 10, 1)),
                invalid("a signature of 11 chunks cannot cover an old file of 10 bytes", () -> new SignatureEnd(true, 10, 11)),
                invalid("a signature of 0 chunks cannot cover an old file of 10 bytes", () -> new SignatureEnd(true, 10, 0)),
                invalid("an old file size may not be negative, got -3", () -> new SignatureEnd(true, -3, 0)),
                invalid("a first chunk index may not be negative, got -1", () -> new CopyChunks(-1, 1)),
                invalid("a chunk count of 0 is below the minimum of 1", () -> new CopyChunks(0, 0)),
                invalid("a chunk run end of 1125899906842625 exceeds the limit of 1125899906842624",
                        () -> new CopyChunks(Limits.MAX_FILE_SIZE - 1, 2)),
                invalid("a literal of 0 bytes is below the minimum of 1", () -> Literal.raw(new byte[0])),
                invalid("a literal of 1048577 bytes exceeds the limit of 1048576",
                        () -> Literal.raw(new byte[Limits.MAX_LITERAL_BYTES + 1])),
                invalid("a literal's raw length of 1048577 bytes exceeds the limit of 1048576",
                        () -> new Literal(new byte[10], LiteralCodec.ZSTD, Limits.MAX_LITERAL_BYTES + 1)),
                invalid("an uncompressed literal of 10 bytes must have a raw length of 10, got 12",
                        () -> new Literal(new byte[10], LiteralCodec.NONE, 12)),
                invalid("a SHA256 digest must be 32 bytes, got 31", () -> new FileEnd(0, new byte[31], 0, 0)),
                invalid("a XXH3_128 digest must be 16 bytes, got 32",
                        () -> new FileEnd(0, FileDigest.XXH3_128, new byte[32], 0, 0)),
                invalid("a file size may not be negative, got -1", () -> new FileEnd(-1, new byte[32], 0, 0)),
                invalid("a literal byte count may not be negative, got -1", () -> new Result(true, -1, 0, 0)),
                invalid("a matched byte count may not be negative, got -2", () -> new Result(true, 0, -2, 0)),
                invalid("a digest of 33 bytes exceeds the limit of 32", () -> new Retry(33)),
                invalid("a digest of 0 bytes is below the minimum of 4", () -> new OpenDownload("f", 8192, 0, true)),
                invalid("a digest of 33 bytes exceeds the limit of 32",
                        () -> new OpenUpload("f", 0, 0644, 0, 8192, 33, SignatureRequest.NONE)),
                invalid("a write time may not be negative, got -1", () -> new Result(true, 0, 0, -1)));
    }

    /** The two-level signature of protocol version 4. */
    static Stream<Arguments> invalidGroupedMessages() {
        return Stream.of(
                invalid("a group batch of 0 groups is below the minimum of 1", () -> new GroupBatch(1, new long[0], new int[0])),
                invalid("a group batch of 65537 groups exceeds the limit of 65536",
                        () -> new GroupBatch(65_537, new long[65_537], ones(65_537))),
                invalid("a group batch has 2 names but 3 chunk counts", () -> new GroupBatch(3, new long[2], ones(3))),
                invalid("a group batch has 3 names but 2 chunk counts", () -> new GroupBatch(3, new long[3], ones(2))),
                invalid("a group batch has 0 names but 2 chunk counts", () -> new GroupBatch(2, new long[0], ones(2))),
                invalid("a group of 0 chunks is below the minimum of 1", () -> new GroupBatch(2, new long[2], new int[] {2, 0})),
                invalid("a group of -1 chunks is below the minimum of 1", () -> new GroupBatch(2, new long[1], new int[] {-1})),
                invalid("a group of 129 chunks exceeds the limit of 128",
                        () -> new GroupBatch(129, new long[2], new int[] {1, Limits.MAX_GROUP_CHUNKS + 1})),
                invalid("a group batch of 0 bytes is below the minimum of 1", () -> new GroupBatch(0, new long[1], ones(1))),
                invalid("a group batch of 128 bytes is below the minimum of 129",
                        () -> new GroupBatch(128, new long[2], new int[] {1, 128})),
                invalid("a group batch of 2164260865 bytes exceeds the limit of 2164260864",
                        () -> new GroupBatch(129L * Limits.MAX_CHUNK_SIZE + 1, new long[2], new int[] {1, 128})),
                invalid("a detail request of 0 groups is below the minimum of 1", () -> new DetailRequest(0, new byte[0])),
                invalid("a detail request of -1 groups is below the minimum of 1", () -> new DetailRequest(-1, new byte[] {1})),
                invalid("a detail request of 2097153 groups exceeds the limit of 2097152",
                        () -> new DetailRequest(Limits.MAX_GROUPED_CHUNKS + 1, new byte[Limits.MAX_GROUPED_CHUNKS / 8 + 1])),
                invalid("a detail request of 0 groups is below the minimum of 1", () -> DetailRequest.of(0, WireBytes.groups(0))),
                invalid("a detail request for 13 groups needs 2 bytes of bitmap, not 1", () -> new DetailRequest(13, new byte[] {1})),
                invalid("a detail request for 13 groups needs 2 bytes of bitmap, not 3",
                        () -> new DetailRequest(13, new byte[] {1, 0, 0})),
                invalid("a detail request for 16 groups needs 2 bytes of bitmap, not 0", () -> new DetailRequest(16, new byte[0])),
                invalid("a detail request must want at least one group", () -> new DetailRequest(13, new byte[2])),
                invalid("a detail request must want at least one group", () -> DetailRequest.of(13, new BitSet())),
                invalid("a detail request wants group 13 of 13", () -> new DetailRequest(13, new byte[] {1, 0x20})),
                invalid("a detail request wants group 20 of 13", () -> DetailRequest.of(13, WireBytes.groups(0, 20))),
                invalid("a detail request of -20 groups is below the minimum of 1",
                        () -> DetailRequest.of(-20, WireBytes.groups(0))),
                invalid("a detail request wants group 15 of 13", () -> new DetailRequest(13, new byte[] {0, (byte) 0x80})),
                invalid("a detail request wants group 13 of 13", () -> DetailRequest.of(13, WireBytes.groups(0, 13))),
                invalid("a detail request wants group 1 of 1", () -> new DetailRequest(1, new byte[] {3})),
                invalid("an average chunk size must be a power of two, got 3000",
                        () -> new OpenDownload("f", 3000, 8, false, true)),
                invalid("a path may not be empty", () -> new OpenDownload("", 8192, 8, true, true)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidGroupedMessages")
    void anInvalidGroupedMessageCannotBeBuilt(String sentence, Executable construction) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, construction);
        assertEquals(sentence, e.getMessage());
    }

    @Test
    void groupedMessagesRefuseMissingArrays() {
        assertEquals("names", assertThrows(NullPointerException.class,
                () -> new GroupBatch(1, null, ones(1))).getMessage());
        assertEquals("chunkCounts", assertThrows(NullPointerException.class,
                () -> new GroupBatch(1, new long[1], null)).getMessage());
        assertEquals("wanted", assertThrows(NullPointerException.class,
                () -> new DetailRequest(1, null)).getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidMessages")
    void anInvalidMessageCannotBeBuilt(String sentence, Executable construction) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, construction);
        assertEquals(sentence, e.getMessage());
    }

    /** {@code count} 8-byte digests, end to end. */
    private static byte[] d8x(int count) {
        return new byte[8 * count];
    }

    /** {@code count} groups of one chunk each. */
    private static int[] ones(int count) {
        int[] counts = new int[count];
        Arrays.fill(counts, 1);
        return counts;
    }

    private static Arguments invalid(String sentence, Executable construction) {
        return Arguments.of(sentence, construction);
    }

    private static Set<String> names(int count) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            names.add("c" + i);
        }
        return Set.copyOf(names);
    }
}
