package dev.ferry.delta.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Every limit, broken on the wire, is a ProtocolException with one sentence, raised before allocating. */
class MessageReaderLimitsTest {

    static Stream<Arguments> invalidFrames() {
        return Stream.of(
                bad("a frame must hold at least its type byte, but its length is 0", WireBytes.hex("00000000")),
                bad("a frame of 4194369 bytes exceeds the limit of 4194368", WireBytes.hex("00400041")),
                bad("a frame of 2147483648 bytes exceeds the limit of 4194368", WireBytes.hex("80000000")),
                bad("a frame of 4294967295 bytes exceeds the limit of 4194368", WireBytes.hex("ffffffff")),
                bad("message type 99 is unknown", WireBytes.hex("0000000163")),
                bad("message type 0 is unknown", WireBytes.hex("0000000100")),
                bad("the CopyChunks message of 4000000 bytes exceeds the limit of 12", WireBytes.hex("003d09011e")),
                bad("the CopyChunks message ends early: it needs 4 more bytes, but 3 bytes remain",
                        WireBytes.frame(30, WireBytes.hex("0000000000000001000001"))),
                bad("the Retry message ends early: it needs 1 more byte, but 0 bytes remain", WireBytes.frame(41, new byte[0])),
                bad("the CopyChunks message of 13 bytes exceeds the limit of 12",
                        WireBytes.frame(30, WireBytes.hex("00000000000000010000000100"))),
                bad("the OpenDownload message has 1 byte after its last field",
                        WireBytes.frame(MessageType.OPEN_DOWNLOAD, out -> {
                            WireBytes.writeUtf8(out, "f");
                            out.writeInt(8192);
                            out.writeByte(8);
                            out.writeByte(1); // may stop
                            out.writeByte(0); // not grouped
                            out.writeByte(1); // XXH3-128
                            out.writeByte(0); // one byte too many
                        })),
                bad("a literal of 5000000 bytes exceeds the limit of 1048576", WireBytes.frame(MessageType.LITERAL, out -> {
                    out.writeByte(0);
                    out.writeInt(5_000_000);
                    out.writeInt(5_000_000);
                })),
                bad("a literal of -1 bytes is below the minimum of 1", WireBytes.frame(MessageType.LITERAL, out -> {
                    out.writeByte(0);
                    out.writeInt(1);
                    out.writeInt(-1);
                })),
                bad("the Literal message ends early: it needs 1048576 more bytes, but 2 bytes remain",
                        WireBytes.frame(MessageType.LITERAL, out -> {
                            out.writeByte(0);
                            out.writeInt(Limits.MAX_LITERAL_BYTES);
                            out.writeInt(Limits.MAX_LITERAL_BYTES);
                            out.writeShort(0);
                        })),
                bad("literal codec 7 is unknown", WireBytes.frame(MessageType.LITERAL, out -> {
                    out.writeByte(7);
                    out.writeInt(1);
                    out.writeInt(1);
                    out.writeByte(0);
                })),
                bad("an uncompressed literal of 1 byte must have a raw length of 1, got 9",
                        WireBytes.frame(MessageType.LITERAL, out -> {
                            out.writeByte(0);
                            out.writeInt(9);
                            out.writeInt(1);
                            out.writeByte(0);
                        })),
                bad("a signature batch of 65537 chunks exceeds the limit of 65536",
                        WireBytes.frame(MessageType.SIGNATURE_BATCH, out -> {
                            out.writeByte(8);
                            out.writeInt(65_537);
                        })),
                bad("a signature batch of -1 chunks is below the minimum of 1",
                        WireBytes.frame(MessageType.SIGNATURE_BATCH, out -> {
                            out.writeByte(8);
                            out.writeInt(-1);
                        })),
                bad("the SignatureBatch message ends early: it needs 524288 more bytes, but 0 bytes remain",
                        WireBytes.frame(MessageType.SIGNATURE_BATCH, out -> {
                            out.writeByte(8);
                            out.writeInt(65_536);
                            out.writeLong(65_536L * 8192);
                        })),
                bad("a signature batch of 2199023255552 bytes exceeds the limit of 1099511627776",
                        WireBytes.frame(MessageType.SIGNATURE_BATCH, out -> {
                            out.writeByte(8);
                            out.writeInt(65_536);
                            out.writeLong(2L * 65_536 * Limits.MAX_CHUNK_SIZE);
                        })),
                bad("a digest of 40 bytes exceeds the limit of 32", WireBytes.frame(MessageType.SIGNATURE_BATCH, out -> {
                    out.writeByte(40);
                    out.writeInt(1);
                })),
                bad("a digest of 3 bytes is below the minimum of 4", WireBytes.frame(MessageType.RETRY, out -> out.writeByte(3))),
                bad("a digest of 255 bytes exceeds the limit of 32",
                        WireBytes.frame(MessageType.CHUNKING_SPEC, out -> {
                            out.writeInt(1);
                            out.writeInt(64);
                            out.writeInt(64);
                            out.writeInt(64);
                            out.writeByte(255);
                        })),
                bad("a signature batch of 0 bytes is below the minimum of 1",
                        WireBytes.frame(MessageType.SIGNATURE_BATCH, out -> {
                            out.writeByte(8);
                            out.writeInt(1);
                            out.writeLong(0);
                            out.write(new byte[8]);
                        })),
                bad("an average chunk size must be a power of two, got 3000",
                        WireBytes.frame(MessageType.OPEN_DOWNLOAD, out -> {
                            WireBytes.writeUtf8(out, "f");
                            out.writeInt(3000);
                            out.write(WireBytes.hex("08000001")); // digest length, may-stop, grouped, file digest
                        })),
                bad("a listed path shares 3 bytes with a previous path of 0", WireBytes.frame(MessageType.LIST_BATCH, out -> {
                    out.writeInt(1);
                    out.writeShort(3);
                    WireBytes.writeUtf8(out, "x");
                })),
                bad("listing entry kind 3 is unknown", WireBytes.frame(MessageType.LIST_BATCH, out -> {
                    out.writeInt(1);
                    out.writeShort(0);
                    WireBytes.writeUtf8(out, "x");
                    out.writeByte(3);
                })),
                bad("a link of 0 bytes is below the minimum of 1", WireBytes.frame(MessageType.LIST_BATCH, out -> {
                    out.writeInt(1);
                    out.writeShort(0);
                    WireBytes.writeUtf8(out, "x");
                    out.writeByte(2);
                    out.writeLong(0);
                    out.writeLong(0);
                    out.writeShort(0777);
                    out.writeShort(0);
                })),
                bad("a listed link has no size and is not a directory", WireBytes.frame(MessageType.LIST_BATCH, out -> {
                    out.writeInt(1);
                    out.writeShort(0);
                    WireBytes.writeUtf8(out, "x");
                    out.writeByte(2);
                    out.writeLong(10);
                    out.writeLong(0);
                    out.writeShort(0777);
                    WireBytes.writeUtf8(out, "target");
                })),
                bad("a listed path must be names below the listed directory, got \"a/../../b\"",
                        WireBytes.frame(MessageType.LIST_BATCH, out -> {
                            out.writeInt(2);
                            out.writeShort(0);
                            WireBytes.writeUtf8(out, "a/x");
                            out.writeByte(1);
                            out.writeLong(0);
                            out.writeLong(0);
                            out.writeShort(0755);
                            out.writeShort(2); // "a/" and then "../../b": a traversal split across two entries
                            WireBytes.writeUtf8(out, "../../b");
                            out.writeByte(0);
                            out.writeLong(1);
                            out.writeLong(0);
                            out.writeShort(0644);
                        })),
                bad("a listing batch of 513 entries exceeds the limit of 512", WireBytes.frame(MessageType.LIST_BATCH,
                        out -> out.writeInt(513))),
                bad("a path may not be empty", WireBytes.frame(MessageType.OPEN_DOWNLOAD, out -> {
                    out.writeShort(0);
                    out.writeInt(8192);
                    out.write(WireBytes.hex("08000001")); // digest length, may-stop, grouped, file digest
                })),
                bad("a path may not contain a NUL character",
                        WireBytes.frame(MessageType.OPEN_DOWNLOAD, out -> {
                            WireBytes.writeUtf8(out, "etc/\0passwd");
                            out.writeInt(8192);
                            out.write(WireBytes.hex("08000001")); // digest length, may-stop, grouped, file digest
                        })),
                bad("the OpenDownload message of 4107 bytes exceeds the limit of 4106",
                        WireBytes.frame(MessageType.OPEN_DOWNLOAD, out -> WireBytes.writeUtf8(out, "p".repeat(4105)))),
                bad("a path of 4097 bytes exceeds the limit of 4096",
                        WireBytes.frame(MessageType.OPEN_UPLOAD, out -> WireBytes.writeUtf8(out, "p".repeat(4097)))),
                bad("a path of 65535 bytes exceeds the limit of 4096",
                        WireBytes.frame(MessageType.OPEN_DOWNLOAD, out -> out.writeShort(65535))),
                bad("a path must be valid UTF-8", WireBytes.frame(MessageType.OPEN_DOWNLOAD, out -> {
                    out.writeShort(2);
                    out.write(WireBytes.hex("c328"));
                })),
                bad("a path must be valid UTF-8", WireBytes.frame(MessageType.OPEN_DOWNLOAD, out -> {
                    out.writeShort(2);
                    out.write(WireBytes.hex("c0af")); // an overlong '/', the classic traversal trick
                })),
                bad("a path must be valid UTF-8", WireBytes.frame(MessageType.OPEN_DOWNLOAD, out -> {
                    out.writeShort(3);
                    out.write(WireBytes.hex("eda080")); // a surrogate encoded as if it were a character
                })),
                bad("a file size may not be negative, got -1", openUpload(-1, 0644, 0x0801, 1, 0)),
                bad("signature request 7 is unknown", openUpload(1, 0644, 0x0807)),
                bad("a file mode must be within 0 and 07777 (octal), got 0100644", openUpload(1, 0100644, 0x0801, 1, 0)),
                bad("a file size of 1125899906842625 bytes exceeds the limit of 1125899906842624",
                        WireBytes.frame(MessageType.FILE_END, out -> {
                            out.writeLong(Limits.MAX_FILE_SIZE + 1);
                            out.writeByte(0);
                            out.write(new byte[32]);
                            out.writeInt(0);
                            out.writeLong(0);
                        })),
                bad("file digest 2 is unknown", WireBytes.frame(MessageType.FILE_END, out -> {
                    out.writeLong(1);
                    out.writeByte(2);
                    out.write(new byte[32]);
                    out.writeInt(0);
                    out.writeLong(0);
                })),
                bad("an old file size may not be negative, got -5", WireBytes.frame(MessageType.SIGNATURE_END, out -> {
                    out.writeByte(1);
                    out.writeLong(-5);
                    out.writeLong(0);
                })),
                bad("the old-file flag must be 0 or 1, got 2", WireBytes.frame(MessageType.SIGNATURE_END, out -> {
                    out.writeByte(2);
                    out.writeLong(0);
                    out.writeLong(0);
                })),
                bad("a first chunk index may not be negative, got -1", WireBytes.frame(MessageType.COPY_CHUNKS, out -> {
                    out.writeLong(-1);
                    out.writeInt(1);
                })),
                bad("a chunk count of -1 is below the minimum of 1", WireBytes.frame(MessageType.COPY_CHUNKS, out -> {
                    out.writeLong(0);
                    out.writeInt(-1);
                })),
                bad("a matched byte count may not be negative, got -9", WireBytes.frame(MessageType.RESULT, out -> {
                    out.writeByte(1);
                    out.writeLong(0);
                    out.writeLong(-9);
                    out.writeLong(0);
                })),
                bad("the Failure message of 1027 bytes exceeds the limit of 1026",
                        WireBytes.frame(MessageType.FAILURE, out -> WireBytes.writeUtf8(out, "x".repeat(1025)))),
                bad("a failure reason of 1025 bytes exceeds the limit of 1024",
                        WireBytes.frame(MessageType.FAILURE, out -> out.writeShort(1025))),
                bad("a failure reason may not contain control characters",
                        WireBytes.frame(MessageType.FAILURE, out -> WireBytes.writeUtf8(out, "ok\rrewritten"))),
                bad("a hello may not name a capability twice", WireBytes.frame(MessageType.HELLO, out -> {
                    out.writeInt(1);
                    out.writeByte(2);
                    out.write(WireBytes.hex("047a737464047a737464"));
                })),
                bad("a hello of 200 capabilities exceeds the limit of 32", WireBytes.frame(MessageType.HELLO, out -> {
                    out.writeInt(1);
                    out.writeByte(200);
                })),
                bad("a capability of 0 bytes is below the minimum of 1", WireBytes.frame(MessageType.HELLO, out -> {
                    out.writeInt(1);
                    out.writeByte(1);
                    out.writeByte(0);
                })),
                bad("a capability must be 1 to 32 characters of a-z, 0-9, '.', '_' and '-', starting with a letter or digit",
                        WireBytes.frame(MessageType.HELLO, out -> {
                            out.writeInt(1);
                            out.writeByte(1);
                            out.write(WireBytes.hex("027ae9"));
                        })),
                bad("a protocol version of -1 is below the minimum of 1", WireBytes.frame(MessageType.HELLO, out -> {
                    out.writeInt(-1);
                    out.writeByte(0);
                })),
                bad("the grouped flag must be 0 or 1, got 2", WireBytes.frame(MessageType.OPEN_DOWNLOAD, out -> {
                    WireBytes.writeUtf8(out, "f");
                    out.writeInt(8192);
                    out.write(WireBytes.hex("080102")); // digest length, may-stop, grouped
                })),
                bad("the OpenDownload message ends early: it needs 1 more byte, but 0 bytes remain",
                        WireBytes.frame(MessageType.OPEN_DOWNLOAD, out -> { // a version 3 request: no grouped flag
                            WireBytes.writeUtf8(out, "f");
                            out.writeInt(8192);
                            out.write(WireBytes.hex("0801"));
                        })),
                bad("the OpenDownload message ends early: it needs 1 more byte, but 0 bytes remain",
                        WireBytes.frame(MessageType.OPEN_DOWNLOAD, out -> { // a version 5 request: no file digest
                            WireBytes.writeUtf8(out, "f");
                            out.writeInt(8192);
                            out.write(WireBytes.hex("080101"));
                        })),
                bad("the OpenUpload message ends early: it needs 1 more byte, but 0 bytes remain",
                        openUpload(1, 0644, 0x0801)), // a version 5 request: no file digest
                bad("file digest 9 is unknown", openUpload(1, 0644, 0x0801, 9, 0)),
                bad("the OpenUpload message ends early: it needs 1 more byte, but 0 bytes remain",
                        openUpload(1, 0644, 0x0801, 1)), // a version 6 request: no fsync flag
                bad("fsync must be 0 or 1, got 2", openUpload(1, 0644, 0x0801, 1, 2)));
    }

    /**
     * An OpenUpload of "f" (mtime 0, chunk average 8192): {@code digestAndRequest} is the digest length
     * and signature request in one short, {@code tail} the trailing bytes: the file digest's code and
     * the fsync flag (none: a version 5 frame; the code alone: version 6).
     */
    private static byte[] openUpload(long size, int mode, int digestAndRequest, int... tail) {
        return WireBytes.frame(MessageType.OPEN_UPLOAD, out -> {
            WireBytes.writeUtf8(out, "f");
            out.writeLong(size);
            out.writeInt(mode);
            out.writeLong(0);
            out.writeInt(8192);
            out.writeShort(digestAndRequest);
            for (int b : tail) {
                out.writeByte(b);
            }
        });
    }

    /** GroupBatch and DetailRequest, the two-level signature of protocol version 4. */
    static Stream<Arguments> invalidGroupedFrames() {
        return Stream.of(
                bad("the GroupBatch message of 589837 bytes exceeds the limit of 589836", WireBytes.hex("0009000e17")),
                bad("the DetailRequest message of 262149 bytes exceeds the limit of 262148", WireBytes.hex("0004000618")),
                bad("a group batch of 0 groups is below the minimum of 1", WireBytes.frame(MessageType.GROUP_BATCH, out -> {
                    out.writeInt(0);
                    out.writeLong(0);
                })),
                bad("a group batch of -1 groups is below the minimum of 1", WireBytes.frame(MessageType.GROUP_BATCH, out -> {
                    out.writeInt(-1);
                    out.writeLong(1);
                    out.writeLong(7);
                    out.writeByte(1);
                })),
                bad("a group batch of 65537 groups exceeds the limit of 65536",
                        WireBytes.frame(MessageType.GROUP_BATCH, out -> out.writeInt(Limits.MAX_GROUPS_PER_BATCH + 1))),
                bad("a group of 0 chunks is below the minimum of 1", WireBytes.frame(MessageType.GROUP_BATCH, out -> {
                    out.writeInt(2);
                    out.writeLong(10);
                    out.writeLong(7);
                    out.writeByte(5);
                    out.writeLong(8);
                    out.writeByte(0);
                })),
                bad("a group of 129 chunks exceeds the limit of 128", WireBytes.frame(MessageType.GROUP_BATCH, out -> {
                    out.writeInt(1);
                    out.writeLong(129);
                    out.writeLong(7);
                    out.writeByte(129);
                })),
                bad("a group of 255 chunks exceeds the limit of 128", WireBytes.frame(MessageType.GROUP_BATCH, out -> {
                    out.writeInt(1);
                    out.writeLong(255);
                    out.writeLong(7);
                    out.writeByte(255); // unsigned: not a count of -1
                })),
                bad("the GroupBatch message ends early: it needs 8 more bytes, but 0 bytes remain",
                        WireBytes.frame(MessageType.GROUP_BATCH, out -> out.writeInt(1))),
                bad("the GroupBatch message ends early: it needs 589824 more bytes, but 0 bytes remain",
                        WireBytes.frame(MessageType.GROUP_BATCH, out -> {
                            out.writeInt(Limits.MAX_GROUPS_PER_BATCH);
                            out.writeLong((long) Limits.MAX_GROUPS_PER_BATCH * Limits.MAX_GROUP_CHUNKS);
                        })),
                bad("the GroupBatch message ends early: it needs 18 more bytes, but 9 bytes remain",
                        WireBytes.frame(MessageType.GROUP_BATCH, out -> {
                            out.writeInt(2);
                            out.writeLong(2);
                            out.writeLong(7);
                            out.writeByte(1);
                        })),
                bad("a group batch of 6 bytes is below the minimum of 7", WireBytes.frame(MessageType.GROUP_BATCH, out -> {
                    out.writeInt(2);
                    out.writeLong(6);
                    out.writeLong(7);
                    out.writeByte(3);
                    out.writeLong(8);
                    out.writeByte(4);
                })),
                bad("a group batch of -1 bytes is below the minimum of 1", WireBytes.frame(MessageType.GROUP_BATCH, out -> {
                    out.writeInt(1);
                    out.writeLong(-1);
                    out.writeLong(7);
                    out.writeByte(1);
                })),
                bad("a group batch of 117440513 bytes exceeds the limit of 117440512",
                        WireBytes.frame(MessageType.GROUP_BATCH, out -> {
                            out.writeInt(2);
                            out.writeLong(7L * Limits.MAX_CHUNK_SIZE + 1);
                            out.writeLong(7);
                            out.writeByte(3);
                            out.writeLong(8);
                            out.writeByte(4);
                        })),
                bad("the GroupBatch message has 1 byte after its last field", WireBytes.frame(MessageType.GROUP_BATCH, out -> {
                    out.writeInt(1);
                    out.writeLong(1);
                    out.writeLong(7);
                    out.writeByte(1);
                    out.writeByte(0);
                })),
                bad("a detail request wants group 13 of 13", WireBytes.frame(MessageType.DETAIL_REQUEST, out -> {
                    out.writeInt(13);
                    out.write(WireBytes.hex("0120")); // groups 0 and 13
                })),
                bad("a detail request wants group 15 of 9", WireBytes.frame(MessageType.DETAIL_REQUEST, out -> {
                    out.writeInt(9);
                    out.write(WireBytes.hex("0080")); // group 15 only
                })),
                bad("a detail request must want at least one group", WireBytes.frame(MessageType.DETAIL_REQUEST, out -> {
                    out.writeInt(13);
                    out.write(WireBytes.hex("0000"));
                })),
                bad("a detail request of 0 groups is below the minimum of 1", WireBytes.frame(MessageType.DETAIL_REQUEST,
                        out -> out.writeInt(0))),
                bad("a detail request of -8 groups is below the minimum of 1", WireBytes.frame(MessageType.DETAIL_REQUEST, out -> {
                    out.writeInt(-8);
                    out.writeByte(1);
                })),
                bad("a detail request of 2097153 groups exceeds the limit of 2097152",
                        WireBytes.frame(MessageType.DETAIL_REQUEST, out -> out.writeInt(Limits.MAX_GROUPED_CHUNKS + 1))),
                bad("the DetailRequest message ends early: it needs 262144 more bytes, but 0 bytes remain",
                        WireBytes.frame(MessageType.DETAIL_REQUEST, out -> out.writeInt(Limits.MAX_GROUPED_CHUNKS))),
                bad("the DetailRequest message ends early: it needs 3 more bytes, but 2 bytes remain",
                        WireBytes.frame(MessageType.DETAIL_REQUEST, out -> {
                            out.writeInt(17);
                            out.write(WireBytes.hex("0101"));
                        })),
                bad("the DetailRequest message has 1 byte after its last field",
                        WireBytes.frame(MessageType.DETAIL_REQUEST, out -> {
                            out.writeInt(13);
                            out.write(WireBytes.hex("011000"));
                        })));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidFrames")
    void anInvalidFrameIsRefusedWithOneSentence(String sentence, byte[] frame) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> WireBytes.decode(frame));
        assertEquals(sentence, e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidGroupedFrames")
    void anInvalidGroupedFrameIsRefusedWithOneSentence(String sentence, byte[] frame) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> WireBytes.decode(frame));
        assertEquals(sentence, e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(MessageType.class)
    void aBodyOneByteOverItsTypesLimitFailsBeforeTheBodyIsRead(MessageType type) {
        byte[] header = WireBytes.body(out -> {
            out.writeInt(type.maxBodyLength() + 2);
            out.writeByte(type.code());
        });
        CountingInputStream in = new CountingInputStream(header, true);

        ProtocolException e = assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> assertThrows(ProtocolException.class, () -> new MessageReader(in).read()));

        int claimed = type.maxBodyLength() + 1;
        assertEquals("the " + type.label() + " message of " + claimed + (claimed == 1 ? " byte" : " bytes")
                + " exceeds the limit of " + type.maxBodyLength(), e.getMessage());
        assertEquals(5, in.consumed, "only the length and the type were read");
    }

    @Test
    void aFrameClaimingTwoGibibytesFailsAfterReadingItsLength() {
        CountingInputStream in = new CountingInputStream(WireBytes.hex("7fffffff1f"), true);

        ProtocolException e = assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> assertThrows(ProtocolException.class, () -> new MessageReader(in).read()));

        assertEquals("a frame of 2147483647 bytes exceeds the limit of 4194368", e.getMessage());
        assertEquals(4, in.consumed, "only the length was read");
    }

    @Test
    void aSmallMessageClaimingABigBodyFailsBeforeTheBodyIsRead() {
        CountingInputStream in = new CountingInputStream(WireBytes.hex("003d09011e"), true);

        assertThrows(ProtocolException.class, () -> new MessageReader(in).read());

        assertEquals(5, in.consumed, "only the length and the type were read");
    }

    @Test
    void aFrameClaimingTheLimitButCutShortAllocatesLittle() throws Exception {
        var threads = ManagementFactory.getThreadMXBean();
        assumeTrue(threads instanceof com.sun.management.ThreadMXBean, "allocation counters need HotSpot");
        var counters = (com.sun.management.ThreadMXBean) threads;
        assumeTrue(counters.isThreadAllocatedMemorySupported() && counters.isThreadAllocatedMemoryEnabled());
        byte[] claim = WireBytes.body(out -> {
            out.writeInt(Literal.MAX_BODY + 1);
            out.writeByte(MessageType.LITERAL.code());
            out.write(new byte[7]);
        });
        WireBytes.decode(WireBytes.encode(new Retry(8))); // load the classes before measuring

        long before = counters.getCurrentThreadAllocatedBytes();
        ProtocolException e = assertThrows(ProtocolException.class, () -> WireBytes.decode(claim));
        long allocated = counters.getCurrentThreadAllocatedBytes() - before;

        assertEquals("truncated message: expected 1048585 bytes of body, got 7", e.getMessage());
        assertTrue(allocated < 256 * 1024, "allocated " + allocated + " bytes for a 7-byte body");
    }

    @Test
    void aBodyArrivingInDribsIsStillReadWhole() throws IOException {
        byte[] frame = WireBytes.encode(Literal.raw(WireBytes.bytes(200_000, 3)));
        InputStream dribs = new ByteArrayInputStream(frame) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 1000));
            }
        };

        assertEquals(Literal.raw(WireBytes.bytes(200_000, 3)), new MessageReader(dribs).read().orElseThrow());
    }

    private static Arguments bad(String sentence, byte[] frame) {
        return Arguments.of(sentence, frame);
    }

    /** Counts what is read; after its bytes it can pretend to be an endless stream of zeros. */
    private static final class CountingInputStream extends InputStream {
        private final byte[] bytes;
        private final boolean endless;
        long consumed;

        CountingInputStream(byte[] bytes, boolean endless) {
            this.bytes = bytes;
            this.endless = endless;
        }

        @Override
        public int read() {
            if (consumed >= bytes.length && !endless) {
                return -1;
            }
            return consumed < bytes.length ? bytes[(int) consumed++] & 0xff : 0 * (int) consumed++;
        }
    }
}
