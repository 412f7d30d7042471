package dev.ferry.delta;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ferry.cdc.ChunkerParams;
import dev.ferry.delta.protocol.CopyChunks;
import dev.ferry.delta.protocol.MessageReader;
import dev.ferry.delta.protocol.MessageWriter;
import dev.ferry.delta.protocol.ProtocolException;
import dev.ferry.delta.protocol.SignatureEnd;

/** The three steps end to end between two threads, on the corpus shapes of the issue in small. */
class DeltaRoundTripTest {

    private static final ChunkerParams PARAMS = ChunkerParams.DEFAULT;

    @TempDir
    Path dir;

    /** One run: what the receiver got, what went over the wire each way. */
    record Run(DeltaReceiver.Received received, DeltaSender.Sent sent, long toSender, long toReceiver) {
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private Run sync(byte[] oldBytes, byte[] newBytes) throws Exception {
        Path target = dir.resolve("target.bin");
        if (oldBytes != null) {
            Files.write(target, oldBytes);
        }
        Path source = Files.write(dir.resolve("source.bin"), newBytes);
        Run run = run(source, target, false, false, in -> in);
        assertArrayEquals(newBytes, Files.readAllBytes(target));
        assertNoTemporaryFiles();
        return run;
    }

    interface Wrap {
        InputStream wrap(InputStream in) throws IOException;
    }

    /** Sender and receiver on two threads, joined by pipes; {@code wrap} wraps the receiver's input. */
    private Run run(Path source, Path target, boolean zstd, boolean whole, Wrap wrap) throws Exception {
        PipedOutputStream senderOut = new PipedOutputStream();
        PipedInputStream receiverIn = new PipedInputStream(senderOut, 1 << 20);
        PipedOutputStream receiverOut = new PipedOutputStream();
        PipedInputStream senderIn = new PipedInputStream(receiverOut, 1 << 20);
        AtomicLong toReceiver = new AtomicLong();
        AtomicLong toSender = new AtomicLong();
        int mode = DeltaReceiver.modeOf(source);
        long mtime = Files.getLastModifiedTime(source).toMillis();
        CompletableFuture<DeltaSender.Sent> sender = CompletableFuture.supplyAsync(() -> {
            try (OutputStream out = counting(senderOut, toReceiver)) {
                return DeltaSender.send(new MessageReader(senderIn), new MessageWriter(out), source, PARAMS, 8, zstd,
                        mode, mtime);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try (OutputStream out = counting(receiverOut, toSender)) {
            DeltaReceiver.Received received = DeltaReceiver.receive(new MessageReader(wrap.wrap(receiverIn)),
                    new MessageWriter(out), target, PARAMS, 8, zstd, whole);
            return new Run(received, sender.get(30, TimeUnit.SECONDS), toSender.get(), toReceiver.get());
        }
    }

    private static OutputStream counting(OutputStream out, AtomicLong count) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                out.write(b);
                count.incrementAndGet();
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
                count.addAndGet(len);
            }

            @Override
            public void flush() throws IOException {
                out.flush();
            }

            @Override
            public void close() throws IOException {
                out.close();
            }
        };
    }

    private void assertNoTemporaryFiles() throws IOException {
        try (var list = Files.list(dir)) {
            List<String> names = list.map(p -> p.getFileName().toString()).filter(n -> n.contains(".ferry-delta-"))
                    .toList();
            assertEquals(List.of(), names);
        }
    }

    @Test
    void scatteredSmallInsertionsSendLittleMoreThanTheInsertedChunks() throws Exception {
        byte[] old = random(4 << 20, 1);
        ByteArrayOutputStream edited = new ByteArrayOutputStream();
        Random r = new Random(2);
        int[] at = r.ints(100, 0, old.length).sorted().toArray();
        int from = 0;
        for (int offset : at) {
            edited.write(old, from, offset - from);
            edited.write(random(16, offset), 0, 16);
            from = offset;
        }
        edited.write(old, from, old.length - from);
        Run run = sync(old, edited.toByteArray());
        // each insertion costs about one or two chunks of 8 KiB; far less than the 4 MiB file
        assertTrue(run.received().literalBytes() < 100 * 3 * 8192, "literal " + run.received().literalBytes());
        assertTrue(run.toReceiver() < (2 << 20), "wire " + run.toReceiver());
        assertEquals(1, run.received().passes());
    }

    @Test
    void overwritesInPlaceAndAnAppendReuseTheRest() throws Exception {
        byte[] old = random(4 << 20, 3);
        byte[] edited = old.clone();
        Random r = new Random(4);
        for (int i = 0; i < 50; i++) {
            byte[] patch = random(4096, i);
            System.arraycopy(patch, 0, edited, r.nextInt(old.length - 4096), 4096);
        }
        Run overwritten = sync(old, edited);
        assertTrue(overwritten.received().matchedBytes() > old.length / 2);

        byte[] appended = new byte[old.length + (1 << 20)];
        System.arraycopy(old, 0, appended, 0, old.length);
        System.arraycopy(random(1 << 20, 5), 0, appended, old.length, 1 << 20);
        Run append = sync(old, appended);
        assertTrue(append.received().literalBytes() < (1 << 20) + 64 * 1024, "literal " + append.received().literalBytes());
    }

    @Test
    void aCompletelyDifferentFileGoesAsLiterals() throws Exception {
        Run run = sync(random(1 << 20, 6), random(1 << 20, 7));
        assertEquals(1 << 20, run.received().literalBytes());
        assertEquals(0, run.received().matchedBytes());
    }

    @Test
    void identicalFilesSendNoLiteralBytes() throws Exception {
        byte[] same = random(3 << 20, 8);
        Run run = sync(same, same);
        assertEquals(0, run.received().literalBytes());
        assertEquals(same.length, run.received().matchedBytes());
        assertTrue(run.toReceiver() < 1024, "wire " + run.toReceiver());
    }

    @Test
    void emptyTinyAndMissingFilesWork() throws Exception {
        sync(random(100_000, 9), new byte[0]);
        sync(new byte[0], random(100, 10));
        sync(random(10, 11), random(10, 12));
        Files.delete(dir.resolve("target.bin"));
        Run fresh = sync(null, random(50_000, 13));
        assertEquals(50_000, fresh.received().literalBytes());
    }

    @Test
    void modeAndModificationTimeFollowTheSender() throws Exception {
        Path source = Files.write(dir.resolve("source.bin"), random(20_000, 14));
        Files.setPosixFilePermissions(source, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-x---"));
        Files.setLastModifiedTime(source, FileTime.fromMillis(1_600_000_000_000L));
        Path target = dir.resolve("target.bin");
        run(source, target, false, false, in -> in);
        assertEquals(0750, DeltaReceiver.modeOf(target));
        assertEquals(1_600_000_000_000L, Files.getLastModifiedTime(target).toMillis());
    }

    @Test
    void zstdShrinksCompressibleLiteralsOnTheWire() throws Exception {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 40_000; i++) {
            text.append("line ").append(i).append(" of a log that compresses well\n");
        }
        Path source = Files.writeString(dir.resolve("source.bin"), text);
        Run plain = run(source, dir.resolve("a.txt"), false, false, in -> in);
        Run packed = run(source, dir.resolve("b.txt"), true, false, in -> in);
        assertArrayEquals(Files.readAllBytes(source), Files.readAllBytes(dir.resolve("b.txt")));
        assertTrue(packed.toReceiver() * 4 < plain.toReceiver(), packed.toReceiver() + " vs " + plain.toReceiver());
    }

    @Test
    void wholeModeSendsNoSignatureAndEveryByte() throws Exception {
        byte[] same = random(1 << 20, 15);
        Files.write(dir.resolve("target.bin"), same);
        Path source = Files.write(dir.resolve("source.bin"), same);
        Run run = run(source, dir.resolve("target.bin"), false, true, in -> in);
        assertEquals(same.length, run.received().literalBytes());
        assertTrue(run.toSender() < 64, "signature bytes " + run.toSender());
    }

    @Test
    void anOldFileThatChangesDuringTheTransferIsCaughtAndTheSecondPassIsRight() throws Exception {
        byte[] old = random(2 << 20, 16);
        byte[] edited = old.clone();
        edited[100] ^= 1; // one small change: almost everything is copied from the old file
        Path target = Files.write(dir.resolve("target.bin"), old);
        Path source = Files.write(dir.resolve("source.bin"), edited);
        // When the first instruction arrives, the old file changes in place (same size): the
        // chunks it copies are no longer the ones it described, so the SHA-256 cannot match.
        Wrap changeOldFileOnce = in -> new FilterInputStream(in) {
            boolean done;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (!done) {
                    done = true;
                    byte[] now = Files.readAllBytes(target);
                    now[1 << 20] ^= (byte) 0xff;
                    Files.write(target, now);
                }
                return super.read(b, off, len);
            }
        };
        Run run = run(source, target, false, false, changeOldFileOnce);
        assertEquals(2, run.received().passes());
        assertArrayEquals(edited, Files.readAllBytes(target));
        assertNoTemporaryFiles();
    }

    @Test
    void aConnectionCutMidTransferLeavesTheOldFileAndNoTemporaryFile() throws Exception {
        byte[] old = random(1 << 20, 17);
        Path target = Files.write(dir.resolve("target.bin"), old);
        // A sender that sends one good literal and then vanishes.
        PipedOutputStream senderOut = new PipedOutputStream();
        PipedInputStream receiverIn = new PipedInputStream(senderOut, 1 << 20);
        MessageWriter w = new MessageWriter(senderOut);
        w.write(dev.ferry.delta.protocol.Literal.raw("half of the new file".getBytes(StandardCharsets.UTF_8)));
        w.flush();
        senderOut.close();
        IOException e = assertThrows(IOException.class, () -> DeltaReceiver.receive(new MessageReader(receiverIn),
                new MessageWriter(OutputStream.nullOutputStream()), target, PARAMS, 8, false, false));
        assertTrue(e instanceof ProtocolException, e.toString());
        assertArrayEquals(old, Files.readAllBytes(target));
        assertNoTemporaryFiles();
    }

    @Test
    void anInstructionBeyondTheOldFileIsRefusedAndChangesNothing() throws Exception {
        byte[] old = random(100_000, 18);
        Path target = Files.write(dir.resolve("target.bin"), old);
        PipedOutputStream senderOut = new PipedOutputStream();
        PipedInputStream receiverIn = new PipedInputStream(senderOut, 1 << 20);
        MessageWriter w = new MessageWriter(senderOut);
        w.write(new CopyChunks(5, 1000));
        w.flush();
        ProtocolException e = assertThrows(ProtocolException.class, () -> DeltaReceiver.receive(
                new MessageReader(receiverIn), new MessageWriter(OutputStream.nullOutputStream()), target, PARAMS, 8,
                false, false));
        assertTrue(e.getMessage().startsWith("an instruction copies chunks 5..1004 but the old file has"), e.getMessage());
        assertArrayEquals(old, Files.readAllBytes(target));
        assertNoTemporaryFiles();
    }

    @Test
    void aDirectoryAtTheTargetIsRefusedInOneSentence() throws Exception {
        Path target = Files.createDirectory(dir.resolve("target.bin"));
        DeltaFailure e = assertThrows(DeltaFailure.class, () -> DeltaReceiver.receive(
                new MessageReader(InputStream.nullInputStream()), new MessageWriter(OutputStream.nullOutputStream()),
                target, PARAMS, 8, false, false));
        assertEquals("target.bin is a directory", e.getMessage());
        assertTrue(Files.isDirectory(target));
    }

    @Test
    void aSymbolicLinkAtTheTargetIsReplacedNotFollowed() throws Exception {
        Path elsewhere = Files.writeString(dir.resolve("elsewhere.txt"), "not to be touched\n");
        Path target = Files.createSymbolicLink(dir.resolve("target.bin"), elsewhere);
        byte[] fresh = random(30_000, 19);
        Path source = Files.write(dir.resolve("source.bin"), fresh);
        run(source, target, false, false, in -> in);
        assertTrue(Files.isRegularFile(target, java.nio.file.LinkOption.NOFOLLOW_LINKS));
        assertArrayEquals(fresh, Files.readAllBytes(target));
        assertEquals("not to be touched\n", Files.readString(elsewhere));
    }

    @Test
    void aSignatureEndThatMiscountsIsAProtocolError() {
        PipedOutputStream o = new PipedOutputStream();
        assertThrows(ProtocolException.class, () -> {
            PipedInputStream i = new PipedInputStream(o, 1 << 16);
            MessageWriter w = new MessageWriter(o);
            w.write(new SignatureEnd(true, 10, 3));
            w.flush();
            Signature.receive(new MessageReader(i), 8);
        });
    }
}
