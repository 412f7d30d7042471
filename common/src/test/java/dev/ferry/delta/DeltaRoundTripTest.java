package dev.ferry.delta;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ferry.cdc.ChunkerParams;
import dev.ferry.delta.protocol.CopyChunks;
import dev.ferry.delta.protocol.FileDigest;
import dev.ferry.delta.protocol.FileEnd;
import dev.ferry.delta.protocol.MessageReader;
import dev.ferry.delta.protocol.MessageWriter;
import dev.ferry.delta.protocol.OpenUpload;
import dev.ferry.delta.protocol.ProtocolException;
import dev.ferry.delta.protocol.SignatureEnd;
import dev.ferry.delta.protocol.SignatureRequest;
import dev.ferry.delta.protocol.SignatureStop;
import dev.ferry.delta.protocol.WireBytes;

/** The three steps end to end between two threads, on the corpus shapes of the issue in small. */
class DeltaRoundTripTest {

    private static final ChunkerParams PARAMS = ChunkerParams.DEFAULT;

    @TempDir
    Path dir;

    /**
     * One run: how the file ended (or why it failed), the responder's log lines, and the bytes that
     * went each way.
     */
    record Run(Outcome outcome, String failure, List<String> log, long toRequester, long toResponder) {
        boolean retried() {
            return log.stream().anyMatch(l -> l.contains("may try again") || l.contains("may ask again"));
        }
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Brings {@code target} to {@code newBytes} from {@code oldBytes} both ways: upload, then download. */
    private Run sync(byte[] oldBytes, byte[] newBytes) throws Exception {
        Path source = Files.write(dir.resolve("source.bin"), newBytes);
        Run up = null;
        for (boolean upload : new boolean[] {true, false}) {
            Path target = dir.resolve("target.bin");
            Files.deleteIfExists(target);
            if (oldBytes != null) {
                Files.write(target, oldBytes);
            }
            Run run = upload ? upload(source, target, false, DeltaMode.AUTO, in -> in, new Estimates())
                    : download(source, target, DeltaMode.AUTO);
            assertEquals(null, run.failure());
            assertArrayEquals(newBytes, Files.readAllBytes(target), upload ? "upload" : "download");
            assertNoTemporaryFiles();
            if (upload) {
                up = run;
            } else {
                assertEquals(up.outcome(), run.outcome(), "both directions send the same");
            }
        }
        return up;
    }

    interface Wrap {
        InputStream wrap(InputStream in) throws IOException;
    }

    /** A requester's side of a session, given the streams to the responder. */
    interface Requester {
        void run(MessageReader in, MessageWriter out, Outcome.Listener listener) throws IOException;
    }

    /** Sends {@code source} to {@code target} (the responder's side): Uploads against a Responder. */
    private Run upload(Path source, Path target, boolean zstd, DeltaMode mode, Wrap wrap, Estimates estimates)
            throws Exception {
        return upload(source, target, zstd, mode, wrap, estimates, FileDigest.DEFAULT);
    }

    /** As above, every file verified with {@code digest}. */
    private Run upload(Path source, Path target, boolean zstd, DeltaMode mode, Wrap wrap, Estimates estimates,
            FileDigest digest) throws Exception {
        long old = Files.isRegularFile(target, java.nio.file.LinkOption.NOFOLLOW_LINKS) ? Files.size(target) : -1;
        Uploads.Job job = new Uploads.Job(source, target.getFileName().toString(), Files.size(source), old, mode,
                "file");
        return session(zstd, wrap, (in, out, l) -> new Uploads(in, out, PARAMS, zstd, estimates, digest)
                .run(List.of(job), l)).single();
    }

    /** Fetches {@code source} (the responder's side) into {@code target}: Downloads against a Responder. */
    private Run download(Path source, Path target, DeltaMode mode) throws Exception {
        return download(source, target, mode, in -> in, FileDigest.DEFAULT);
    }

    /** As above, the file verified with {@code digest}; {@code wrap} sees what reaches the responder. */
    private Run download(Path source, Path target, DeltaMode mode, Wrap wrap, FileDigest digest) throws Exception {
        Downloads.Job job = new Downloads.Job(source.getFileName().toString(), target, Files.size(source), mode, "file");
        return session(false, wrap, (in, out, l) -> new Downloads(in, out, PARAMS, false, digest)
                .run(List.of(job), l)).single();
    }

    /** What a session of many files did. */
    record Session(Map<String, Outcome> done, Map<String, String> failed, List<String> log, long toRequester,
            long toResponder) {
        Run single() {
            assertTrue(done.size() + failed.size() == 1, done + " " + failed);
            return new Run(done.get("file"), failed.get("file"), log, toRequester, toResponder);
        }
    }

    /** A requester and a Responder (serving {@link #dir}) on two threads, joined by pipes. */
    private Session session(boolean zstd, Wrap wrap, Requester requester) throws Exception {
        PipedOutputStream requesterOut = new PipedOutputStream();
        PipedInputStream responderIn = new PipedInputStream(requesterOut, 1 << 20);
        PipedOutputStream responderOut = new PipedOutputStream();
        PipedInputStream requesterIn = new PipedInputStream(responderOut, 1 << 20);
        AtomicLong toResponder = new AtomicLong();
        AtomicLong toRequester = new AtomicLong();
        List<String> log = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> responder = CompletableFuture.runAsync(() -> {
            try (OutputStream out = counting(responderOut, toRequester)) {
                new Responder(new MessageReader(wrap.wrap(responderIn)), new MessageWriter(out), PARAMS, zstd,
                        dir::resolve, (direction, path, bytes, start, error) -> log.add(direction + " " + path + " "
                                + bytes + (error == null ? "" : ": " + error))).run();
            } catch (IOException e) {
                log.add("responder: " + e.getMessage());
            }
        });
        Map<String, Outcome> done = new LinkedHashMap<>();
        Map<String, String> failed = new LinkedHashMap<>();
        try (OutputStream out = counting(requesterOut, toResponder)) {
            runLogged(requester, log, new MessageReader(requesterIn), new MessageWriter(out), new Outcome.Listener() {
                @Override
                public void done(String label, Outcome outcome) {
                    done.put(label, outcome);
                }

                @Override
                public void failed(String label, String reason) {
                    failed.put(label, reason);
                }
            });
        }
        responder.get(60, TimeUnit.SECONDS);
        return new Session(done, failed, log, toRequester.get(), toResponder.get());
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
        assertTrue(run.outcome().literalBytes() < 100 * 3 * 8192, "literal " + run.outcome().literalBytes());
        assertTrue(run.toResponder() < (2 << 20), "wire " + run.toResponder());
        assertEquals(1, (run.retried() ? 2 : 1));
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
        assertTrue(overwritten.outcome().matchedBytes() > old.length / 2);

        byte[] appended = new byte[old.length + (1 << 20)];
        System.arraycopy(old, 0, appended, 0, old.length);
        System.arraycopy(random(1 << 20, 5), 0, appended, old.length, 1 << 20);
        Run append = sync(old, appended);
        assertTrue(append.outcome().literalBytes() < (1 << 20) + 64 * 1024, "literal " + append.outcome().literalBytes());
    }

    @Test
    void aCompletelyDifferentFileGoesAsLiterals() throws Exception {
        Run run = sync(random(1 << 20, 6), random(1 << 20, 7));
        assertEquals(1 << 20, run.outcome().literalBytes());
        assertEquals(0, run.outcome().matchedBytes());
    }

    @Test
    void identicalFilesSendNoLiteralBytes() throws Exception {
        byte[] same = random(3 << 20, 8);
        Run run = sync(same, same);
        assertEquals(0, run.outcome().literalBytes());
        assertEquals(same.length, run.outcome().matchedBytes());
        assertTrue(run.toResponder() < 1024, "wire " + run.toResponder());
    }

    @Test
    void aOneLineEditOfASmallSourceFileCostsAFewHundredBytesBothWays() throws Exception {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            text.append("    private static final int FIELD_").append(i).append(" = ").append(i * 7919).append(";\n");
        }
        String old = text.toString();
        String fresh = old.replace("FIELD_100 = 791900;", "FIELD_100 = 1;");
        assertTrue(old.length() > 8000 && old.length() < 12000, "about one chunk of a large file: " + old.length());
        Run run = sync(old.getBytes(StandardCharsets.UTF_8), fresh.getBytes(StandardCharsets.UTF_8));
        // 256-byte chunks for a file this small (FileChunking): one or two chunks of literal bytes,
        // where 8 KiB chunks would have sent the whole file again.
        assertTrue(run.outcome().literalBytes() <= 2048, "literal " + run.outcome().literalBytes());
        assertTrue(run.toResponder() + run.toRequester() < 3072,
                "wire " + run.toResponder() + " + " + run.toRequester());
    }

    @Test
    void emptyTinyAndMissingFilesWork() throws Exception {
        sync(random(100_000, 9), new byte[0]);
        sync(new byte[0], random(100, 10));
        sync(random(10, 11), random(10, 12));
        Files.delete(dir.resolve("target.bin"));
        Run fresh = sync(null, random(50_000, 13));
        assertEquals(50_000, fresh.outcome().literalBytes());
    }

    @Test
    void modeAndModificationTimeFollowTheSender() throws Exception {
        Path source = Files.write(dir.resolve("source.bin"), random(20_000, 14));
        Files.setPosixFilePermissions(source, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-x---"));
        Files.setLastModifiedTime(source, FileTime.fromMillis(1_600_000_000_000L));
        Path target = dir.resolve("target.bin");
        upload(source, target, false, DeltaMode.AUTO, in -> in, new Estimates());
        assertEquals(0750, FileFacts.of(target).mode());
        assertEquals(1_600_000_000_000L, Files.getLastModifiedTime(target).toMillis());
    }

    @Test
    void zstdShrinksCompressibleLiteralsOnTheWire() throws Exception {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 40_000; i++) {
            text.append("line ").append(i).append(" of a log that compresses well\n");
        }
        Path source = Files.writeString(dir.resolve("source.bin"), text);
        Run plain = upload(source, dir.resolve("a.txt"), false, DeltaMode.AUTO, in -> in, new Estimates());
        Run packed = upload(source, dir.resolve("b.txt"), true, DeltaMode.AUTO, in -> in, new Estimates());
        assertArrayEquals(Files.readAllBytes(source), Files.readAllBytes(dir.resolve("b.txt")));
        assertTrue(packed.toResponder() * 4 < plain.toResponder(), packed.toResponder() + " vs " + plain.toResponder());
    }

    @Test
    void wholeModeSendsNoSignatureAndEveryByte() throws Exception {
        byte[] same = random(1 << 20, 15);
        Files.write(dir.resolve("target.bin"), same);
        Path source = Files.write(dir.resolve("source.bin"), same);
        Run up = upload(source, dir.resolve("target.bin"), false, DeltaMode.WHOLE, in -> in, new Estimates());
        assertEquals(same.length, up.outcome().literalBytes());
        assertTrue(up.outcome().whole());
        assertTrue(up.toRequester() < 64, "answer bytes " + up.toRequester());
        Run down = download(source, dir.resolve("target.bin"), DeltaMode.WHOLE);
        assertEquals(same.length, down.outcome().literalBytes());
        assertTrue(down.toResponder() < 200, "request and signature bytes " + down.toResponder());
    }

    @Test
    void anOldFileThatChangesDuringTheTransferIsCaughtAndTheSecondPassIsRight() throws Exception {
        byte[] old = random(2 << 20, 16);
        byte[] edited = old.clone();
        edited[100] ^= 1; // one small change: almost everything is copied from the old file
        Path target = Files.write(dir.resolve("target.bin"), old);
        Path source = Files.write(dir.resolve("source.bin"), edited);
        // When the first instruction arrives (the second body read, after the request's), the old
        // file changes in place (same size): the chunks it copies are no longer the ones it
        // described, so the whole-file digest cannot match.
        Run run = upload(source, target, false, DeltaMode.AUTO, changeAtSecondRead(target, 1 << 20), new Estimates());
        assertTrue(run.retried(), run.log().toString());
        assertEquals(null, run.failure());
        assertArrayEquals(edited, Files.readAllBytes(target));
        assertNoTemporaryFiles();
    }

    @Test
    void aConnectionCutMidTransferLeavesTheOldFileAndNoTemporaryFile() throws Exception {
        byte[] old = random(1 << 20, 17);
        Path target = Files.write(dir.resolve("target.bin"), old);
        // A requester that opens the file, sends one good literal and then vanishes.
        byte[] sent = WireBytes.encode(
                new OpenUpload("target.bin", 1 << 20, 0644, 0, 8192, 8, SignatureRequest.NONE),
                dev.ferry.delta.protocol.Literal.raw("half of the new file".getBytes(StandardCharsets.UTF_8)));
        ProtocolException e = assertThrows(ProtocolException.class, () -> respond(sent));
        assertEquals("the peer closed the stream with 1 file(s) still open", e.getMessage());
        assertArrayEquals(old, Files.readAllBytes(target));
        assertNoTemporaryFiles();
    }

    @Test
    void anInstructionBeyondTheOldFileIsRefusedAndChangesNothing() throws Exception {
        byte[] old = random(100_000, 18);
        Path target = Files.write(dir.resolve("target.bin"), old);
        byte[] sent = WireBytes.encode(
                new OpenUpload("target.bin", 100_000, 0644, 0, 8192, 8, SignatureRequest.FULL),
                new CopyChunks(5, 1000));
        ProtocolException e = assertThrows(ProtocolException.class, () -> respond(sent));
        assertTrue(e.getMessage().startsWith("an instruction copies chunks 5..1004 but the old file's signature has"),
                e.getMessage());
        assertArrayEquals(old, Files.readAllBytes(target));
        assertNoTemporaryFiles();
    }

    @Test
    void aDirectoryAtTheTargetIsRefusedInOneSentence() throws Exception {
        Path target = Files.createDirectory(dir.resolve("target.bin"));
        Path source = Files.write(dir.resolve("source.bin"), random(10_000, 20));
        Run run = upload(source, target, false, DeltaMode.AUTO, in -> in, new Estimates());
        assertEquals("target.bin is a directory", run.failure());
        assertTrue(Files.isDirectory(target));
        Run down = download(source, target, DeltaMode.AUTO);
        assertEquals("target.bin is a directory", down.failure());
    }

    @Test
    void aSymbolicLinkAtTheTargetIsReplacedNotFollowed() throws Exception {
        Path elsewhere = Files.writeString(dir.resolve("elsewhere.txt"), "not to be touched\n");
        Path target = Files.createSymbolicLink(dir.resolve("target.bin"), elsewhere);
        byte[] fresh = random(30_000, 19);
        Path source = Files.write(dir.resolve("source.bin"), fresh);
        upload(source, target, false, DeltaMode.AUTO, in -> in, new Estimates());
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
            Signature.receive(new MessageReader(i), new MessageWriter(OutputStream.nullOutputStream()), 8,
                    Signature.Cutoff.NEVER);
        });
    }

    /** Runs {@code requester}; if it fails, the responder's last log lines say why. */
    private static void runLogged(Requester requester, List<String> log, MessageReader in, MessageWriter out,
            Outcome.Listener listener) throws IOException {
        try {
            requester.run(in, out, listener);
        } catch (IOException e) {
            e.addSuppressed(new AssertionError("the responder's log ends: "
                    + log.stream().filter(l -> l.startsWith("responder") || l.contains(": ")).limit(3).toList()));
            throw e;
        }
    }

    /**
     * A Responder serving {@link #dir} reads {@code requests}, then the end of the stream. Nothing
     * is ready before it is read, as on a network: a stoppable signature sees no message early.
     */
    private void respond(byte[] requests) throws IOException {
        InputStream arriving = new FilterInputStream(new java.io.ByteArrayInputStream(requests)) {
            @Override
            public int available() {
                return 0;
            }
        };
        new Responder(new MessageReader(arriving),
                new MessageWriter(OutputStream.nullOutputStream()), PARAMS, false, dir::resolve,
                (d, p, b, t, e) -> { }).run();
    }

    @Test
    void aFileGoneSinceTheWalkFailsAloneAndTheBatchGoesOn() throws Exception {
        Path gone = dir.resolve("gone.bin");
        Path kept = Files.write(dir.resolve("kept.bin"), random(20_000, 41));
        List<Uploads.Job> jobs = List.of(
                new Uploads.Job(gone, "gone-copy.bin", 5000, -1, DeltaMode.AUTO, "gone"),
                new Uploads.Job(kept, "kept-copy.bin", 20_000, -1, DeltaMode.AUTO, "kept"));
        Session s = session(false, in -> in, (in, out, l) -> new Uploads(in, out, PARAMS, false, new Estimates())
                .run(jobs, l));
        assertEquals(Map.of("gone", "no such file: " + gone), s.failed());
        assertArrayEquals(Files.readAllBytes(kept), Files.readAllBytes(dir.resolve("kept-copy.bin")));
        assertFalse(Files.exists(dir.resolve("gone-copy.bin")));
    }

    @Test
    void aBatchOfManyFilesGoesPipelinedBothWaysAndARefusedOneDoesNotStopTheOthers() throws Exception {
        Path src = Files.createDirectory(dir.resolve("src"));
        Path dst = Files.createDirectory(dir.resolve("dst"));
        List<Uploads.Job> ups = new ArrayList<>();
        List<Downloads.Job> downs = new ArrayList<>();
        Map<String, byte[]> expected = new LinkedHashMap<>();
        for (int i = 0; i < 300; i++) {
            String name = "f" + i;
            byte[] fresh = random(i % 7 == 0 ? 100 : 3000 + i * 97, i);
            Files.write(src.resolve(name), fresh);
            if (i % 3 == 0) { // the same old copy: nothing to send but the signature
                Files.write(dst.resolve(name), fresh);
            } else if (i % 3 == 1) { // an old copy with one byte different
                byte[] old = fresh.clone();
                old[old.length / 2] ^= 1;
                Files.write(dst.resolve(name), old);
            } // else: no old copy
            expected.put(name, fresh);
        }
        Files.createDirectory(dst.resolve("f5")); // refused: a directory where the file goes
        expected.remove("f5");
        for (int i = 0; i < 300; i++) {
            String name = "f" + i;
            Path target = dst.resolve(name);
            long old = Files.isRegularFile(target) ? Files.size(target) : -1;
            ups.add(new Uploads.Job(src.resolve(name), "dst/" + name, Files.size(src.resolve(name)), old,
                    DeltaMode.AUTO, name));
        }
        Session up = session(false, in -> in, (in, out, l) -> new Uploads(in, out, PARAMS, false, new Estimates())
                .run(ups, l));
        assertEquals(Map.of("f5", "f5 is a directory"), up.failed());
        assertEquals(299, up.done().size());
        for (Map.Entry<String, byte[]> e : expected.entrySet()) {
            assertArrayEquals(e.getValue(), Files.readAllBytes(dst.resolve(e.getKey())), e.getKey());
        }
        assertEquals(0, up.done().get("f3").literalBytes(), "an identical old copy: no literal");
        assertTrue(up.done().get("f298").matchedBytes() > 0, "one byte changed in 31 KB: some chunks reused");

        // And back: the responder's files are the new ones, a local old copy of each (edited).
        Path back = Files.createDirectory(dir.resolve("back"));
        for (int i = 0; i < 300; i++) {
            String name = "f" + i;
            if (i % 2 == 0) {
                byte[] old = random(3000 + i * 97, i);
                old[0] ^= 1;
                Files.write(back.resolve(name), old);
            }
            downs.add(new Downloads.Job("src/" + name, back.resolve(name), Files.size(src.resolve(name)),
                    DeltaMode.AUTO, name));
        }
        Session down = session(false, in -> in, (in, out, l) -> new Downloads(in, out, PARAMS, false)
                .run(downs, l));
        assertEquals(Map.of(), down.failed());
        for (int i = 0; i < 300; i++) {
            assertArrayEquals(Files.readAllBytes(src.resolve("f" + i)), Files.readAllBytes(back.resolve("f" + i)));
        }
        try (var list = Files.list(back)) {
            assertEquals(300, list.count(), "no temporary files left");
        }
    }

    @Test
    void inAutoModeALargeFileThatDiffersEntirelyStopsItsSignatureAndGoesWhole() throws Exception {
        byte[] old = random(48 << 20, 30);
        byte[] fresh = random(48 << 20, 31);
        Path source = Files.write(dir.resolve("source.bin"), fresh);
        Path target = dir.resolve("target.bin");
        Files.write(target, old);
        Run delta = upload(source, target, false, DeltaMode.DELTA, in -> in, new Estimates());
        assertFalse(delta.outcome().whole());
        Files.write(target, old);
        Run auto = upload(source, target, false, DeltaMode.AUTO, in -> in, new Estimates());
        assertArrayEquals(fresh, Files.readAllBytes(target));
        assertTrue(auto.outcome().whole(), "judged whole");
        assertEquals(fresh.length, auto.outcome().literalBytes());
        assertTrue(auto.toRequester() <= delta.toRequester(), auto.toRequester() + " vs " + delta.toRequester());

        Files.write(target, old); // the same judgement when the responder sends
        Run down = download(source, target, DeltaMode.AUTO);
        assertTrue(down.outcome().whole());
        assertArrayEquals(fresh, Files.readAllBytes(target));
        assertNoTemporaryFiles();
    }

    @Test
    void inAutoModeAnUnchangedLargeFileGoesAsADeltaUnlessTheNetworkIsAsFastAsTheDisk() throws Exception {
        byte[] same = random(40 << 20, 32);
        Path source = Files.write(dir.resolve("source.bin"), same);
        Path target = Files.write(dir.resolve("target.bin"), same);
        Run slow = upload(source, target, false, DeltaMode.AUTO, in -> in, new Estimates());
        assertFalse(slow.outcome().whole());
        assertEquals(0, slow.outcome().literalBytes());

        // A network measured at 100 GB/s: no disk reads, chunks and writes three times faster.
        Run fast = upload(source, target, false, DeltaMode.AUTO, in -> in, Estimates.of(100e9, Double.NaN,
                Double.NaN));
        // (how much of the signature the receiver had sent before the stop reached it is a race)
        assertTrue(fast.outcome().whole(), "whole: a delta costs the receiver more than the network does");
        assertArrayEquals(same, Files.readAllBytes(target));
    }

    @Test
    void aStopThatArrivesWithTheRequestEndsTheSignatureBeforeItsFirstBatch() throws Exception {
        byte[] old = random(8 << 20, 40);
        Files.write(dir.resolve("target.bin"), old);
        byte[] fresh = "the new content".getBytes(StandardCharsets.UTF_8);
        byte[] sent = WireBytes.encode(
                new OpenUpload("target.bin", fresh.length, 0644, 0, 8192, 8, SignatureRequest.STOPPABLE),
                new SignatureStop(),
                dev.ferry.delta.protocol.Literal.raw(fresh),
                new FileEnd(fresh.length, FileDigest.XXH3_128, xxh3(fresh), 0644, 0));
        ByteArrayOutputStream answers = new ByteArrayOutputStream();
        new Responder(new MessageReader(new java.io.ByteArrayInputStream(sent)), new MessageWriter(answers),
                PARAMS, false, dir::resolve, (d, p, b, t, e) -> { }).run();
        MessageReader back = new MessageReader(new java.io.ByteArrayInputStream(answers.toByteArray()));
        assertEquals(new SignatureEnd(true, 0, 0), back.readRequired("the signature"), "no batch before the stop");
        assertTrue(back.readRequired("the result") instanceof dev.ferry.delta.protocol.Result r && r.ok());
        assertArrayEquals(fresh, Files.readAllBytes(dir.resolve("target.bin")));
    }

    @Test
    void aStopWhereNoStoppableSignatureIsOpenIsAProtocolError() throws Exception {
        byte[] sent = WireBytes.encode(new SignatureStop());
        ProtocolException e = assertThrows(ProtocolException.class, () -> respond(sent));
        assertEquals("got SignatureStop but no stoppable signature is open", e.getMessage());
    }

    /** The messages a sender writes for {@code file}: whole, or against an empty index (nothing matches). */
    private static List<dev.ferry.delta.protocol.DeltaMessage> sent(Path file, boolean whole) throws IOException {
        return sent(file, whole, FileDigest.DEFAULT);
    }

    /** As above, the file ending with its {@code kind} digest. */
    private static List<dev.ferry.delta.protocol.DeltaMessage> sent(Path file, boolean whole, FileDigest kind)
            throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        MessageWriter w = new MessageWriter(bytes);
        if (whole) {
            Diff.sendWhole(file, false, kind, 0644, 0, w);
        } else {
            Diff.send(file, PARAMS, new ChunkIndex(8), false, kind, 0644, 0, w);
        }
        w.flush();
        MessageReader r = new MessageReader(new java.io.ByteArrayInputStream(bytes.toByteArray()));
        List<dev.ferry.delta.protocol.DeltaMessage> messages = new ArrayList<>();
        for (var m = r.read(); m.isPresent(); m = r.read()) {
            messages.add(m.get());
        }
        return messages;
    }

    /** XXH3-128 of {@code bytes}, big-endian, as hash4j computes it in one go. */
    private static byte[] xxh3(byte[] bytes) {
        var v = com.dynatrace.hash4j.hashing.Hashing.xxh3_128().hashBytesTo128Bits(bytes);
        return java.nio.ByteBuffer.allocate(16).putLong(v.getMostSignificantBits())
                .putLong(v.getLeastSignificantBits()).array();
    }

    /** The {@code kind} digest of {@code bytes}, computed here apart from the code under test. */
    private static byte[] digestOf(FileDigest kind, byte[] bytes) throws Exception {
        return kind == FileDigest.XXH3_128 ? xxh3(bytes)
                : java.security.MessageDigest.getInstance("SHA-256").digest(bytes);
    }

    private static FileEnd endOf(List<dev.ferry.delta.protocol.DeltaMessage> messages) {
        return (FileEnd) messages.get(messages.size() - 1);
    }

    @Test
    void aFileEndsWithXxh3ByDefaultWholeOrDelta() throws Exception {
        byte[] content = random(300_000, 60);
        Path file = Files.write(dir.resolve("file.bin"), content);
        for (boolean whole : new boolean[] {true, false}) {
            FileEnd end = endOf(sent(file, whole));
            assertEquals(FileDigest.XXH3_128, end.kind(), whole ? "whole" : "delta");
            assertArrayEquals(xxh3(content), end.digest(), whole ? "whole" : "delta");
        }
    }

    @Test
    void aFileEndsWithTheSha256WhenItsRequestNamedItWholeOrDelta() throws Exception {
        byte[] content = random(300_000, 65);
        Path file = Files.write(dir.resolve("file.bin"), content);
        for (boolean whole : new boolean[] {true, false}) {
            FileEnd end = endOf(sent(file, whole, FileDigest.SHA256));
            assertEquals(FileDigest.SHA256, end.kind(), whole ? "whole" : "delta");
            assertArrayEquals(digestOf(FileDigest.SHA256, content), end.digest(), whole ? "whole" : "delta");
        }
    }

    /**
     * What reached the responder, decoded: {@code wrap} tees the responder's input into
     * {@code seen}, read back after the session.
     */
    private static Wrap tee(ByteArrayOutputStream seen) {
        return in -> new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    seen.write(b);
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n > 0) {
                    seen.write(b, off, n);
                }
                return n;
            }
        };
    }

    private static List<dev.ferry.delta.protocol.DeltaMessage> decoded(byte[] bytes) throws IOException {
        MessageReader r = new MessageReader(new java.io.ByteArrayInputStream(bytes));
        List<dev.ferry.delta.protocol.DeltaMessage> messages = new ArrayList<>();
        for (var m = r.read(); m.isPresent(); m = r.read()) {
            messages.add(m.get());
        }
        return messages;
    }

    /** A 1 MiB file with a few edits: a delta of mostly copied chunks with some literals. */
    private static byte[][] editedPair(long seed) {
        byte[] old = random(1 << 20, seed);
        byte[] edited = old.clone();
        for (int at : new int[] {1000, 300_000, 700_000}) {
            System.arraycopy(random(64, seed + at), 0, edited, at, 64);
        }
        return new byte[][] {old, edited};
    }

    @Test
    void aDeltaIsVerifiedWithXxh3ByDefaultOrSha256WhenAskedAndReconstructsTheFileBothWays() throws Exception {
        for (FileDigest kind : new FileDigest[] {null, FileDigest.SHA256}) { // null: the default
            byte[][] pair = editedPair(kind == null ? 70 : 71);
            FileDigest expected = kind == null ? FileDigest.XXH3_128 : kind;
            Path source = Files.write(dir.resolve("source.bin"), pair[1]);
            Path target = dir.resolve("target.bin");

            Files.write(target, pair[0]);
            ByteArrayOutputStream up = new ByteArrayOutputStream();
            Run upRun = kind == null ? upload(source, target, false, DeltaMode.DELTA, tee(up), new Estimates())
                    : upload(source, target, false, DeltaMode.DELTA, tee(up), new Estimates(), kind);
            assertEquals(null, upRun.failure());
            assertFalse(upRun.retried());
            assertTrue(upRun.outcome().matchedBytes() > pair[0].length / 2, "a delta: " + upRun.outcome());
            assertArrayEquals(pair[1], Files.readAllBytes(target), "upload");
            List<dev.ferry.delta.protocol.DeltaMessage> toServer = decoded(up.toByteArray());
            OpenUpload open = (OpenUpload) toServer.stream().filter(m -> m instanceof OpenUpload).findFirst()
                    .orElseThrow();
            assertEquals(expected, open.fileDigest());
            FileEnd end = (FileEnd) toServer.stream().filter(m -> m instanceof FileEnd).findFirst().orElseThrow();
            assertEquals(expected, end.kind());
            assertArrayEquals(digestOf(expected, pair[1]), end.digest());

            Files.write(target, pair[0]);
            ByteArrayOutputStream down = new ByteArrayOutputStream();
            Run downRun = download(source, target, DeltaMode.DELTA, tee(down),
                    kind == null ? FileDigest.DEFAULT : kind);
            assertEquals(null, downRun.failure());
            assertFalse(downRun.retried());
            assertTrue(downRun.outcome().matchedBytes() > pair[0].length / 2, "a delta: " + downRun.outcome());
            assertArrayEquals(pair[1], Files.readAllBytes(target), "download");
            dev.ferry.delta.protocol.OpenDownload asked = (dev.ferry.delta.protocol.OpenDownload) decoded(
                    down.toByteArray()).stream().filter(m -> m instanceof dev.ferry.delta.protocol.OpenDownload)
                    .findFirst().orElseThrow();
            assertEquals(expected, asked.fileDigest());
            assertNoTemporaryFiles();
        }
    }

    @Test
    void aTwoLevelDeltaIsVerifiedWithTheDigestItsRequestNamed() throws Exception {
        // The sender's background pass takes the digest after the chunks (NewChunks.Ahead).
        byte[] old = random(GROUPED_SIZE, 72);
        byte[] edited = old.clone();
        System.arraycopy(random(4096, 73), 0, edited, 5 << 20, 4096);
        Path source = Files.write(dir.resolve("source.bin"), edited);
        Path target = dir.resolve("target.bin");
        for (FileDigest kind : FileDigest.values()) {
            Files.write(target, old);
            ByteArrayOutputStream up = new ByteArrayOutputStream();
            Run run = upload(source, target, false, DeltaMode.DELTA, tee(up), new Estimates(), kind);
            assertEquals(null, run.failure());
            assertFalse(run.retried());
            assertArrayEquals(edited, Files.readAllBytes(target), kind.toString());
            List<dev.ferry.delta.protocol.DeltaMessage> toServer = decoded(up.toByteArray());
            assertTrue(toServer.stream().anyMatch(m -> m instanceof dev.ferry.delta.protocol.DetailRequest),
                    "two levels");
            FileEnd end = (FileEnd) toServer.stream().filter(m -> m instanceof FileEnd).findFirst().orElseThrow();
            assertEquals(kind, end.kind());
            assertArrayEquals(digestOf(kind, edited), end.digest());
        }
    }

    /** Runs a responder over {@code requests} and returns its answers. */
    private List<dev.ferry.delta.protocol.DeltaMessage> answersTo(byte[] requests) throws IOException {
        ByteArrayOutputStream answers = new ByteArrayOutputStream();
        new Responder(new MessageReader(new java.io.ByteArrayInputStream(requests)), new MessageWriter(answers),
                PARAMS, false, dir::resolve, (d, p, b, t, e) -> { }).run();
        MessageReader back = new MessageReader(new java.io.ByteArrayInputStream(answers.toByteArray()));
        List<dev.ferry.delta.protocol.DeltaMessage> messages = new ArrayList<>();
        for (var m = back.read(); m.isPresent(); m = back.read()) {
            messages.add(m.get());
        }
        return messages;
    }

    private static boolean ok(List<dev.ferry.delta.protocol.DeltaMessage> answers) {
        return answers.get(answers.size() - 1) instanceof dev.ferry.delta.protocol.Result r && r.ok();
    }

    @Test
    void theReceiverChecksTheXxh3OfAFileSentWholeAndKeepsTheOldOneWhenItDiffers() throws Exception {
        byte[] old = random(50_000, 61);
        Path target = Files.write(dir.resolve("target.bin"), old);
        byte[] fresh = random(70_000, 62);
        Path source = Files.write(dir.resolve("source.bin"), fresh);
        FileEnd right = endOf(sent(source, true));
        byte[] wrongDigest = right.digest();
        wrongDigest[15] ^= 1;
        for (FileEnd end : List.of(new FileEnd(fresh.length, FileDigest.XXH3_128, wrongDigest, 0644, 0), right)) {
            byte[] requests = WireBytes.encode(
                    new OpenUpload("target.bin", fresh.length, 0644, 0, 8192, 8, SignatureRequest.NONE),
                    dev.ferry.delta.protocol.Literal.raw(fresh),
                    end);
            boolean accepted = ok(answersTo(requests));
            assertEquals(end == right, accepted, end.toString());
            assertArrayEquals(end == right ? fresh : old, Files.readAllBytes(target));
            assertNoTemporaryFiles();
        }
    }

    @Test
    void aFileEndOfAnotherKindThanItsRequestNamedIsRefusedAndChangesNothing() throws Exception {
        byte[] old = random(100, 63); // shorter than a chunk: one chunk, number 0
        Path target = Files.write(dir.resolve("target.bin"), old);
        for (FileDigest opened : FileDigest.values()) {
            FileDigest ended = opened == FileDigest.SHA256 ? FileDigest.XXH3_128 : FileDigest.SHA256;
            byte[] requests = WireBytes.encode(
                    new OpenUpload("target.bin", 100, 0644, 0, 8192, 8, SignatureRequest.FULL, opened),
                    new CopyChunks(0, 1),
                    new FileEnd(100, ended, digestOf(ended, old), 0644, 0)); // the right digest, of the wrong kind
            ProtocolException e = assertThrows(ProtocolException.class, () -> respond(requests));
            assertEquals("the file was opened for " + opened + " but ends with " + ended, e.getMessage());
            assertArrayEquals(old, Files.readAllBytes(target));
            assertNoTemporaryFiles();
        }
    }

    @Test
    void aDeltaWithAWrongDigestIsRejectedAndKeepsTheOldFileForEitherKind() throws Exception {
        // A literal, a copy, a literal: every byte counts in the digest, whichever the request named,
        // and a digest one bit off leaves the old file as it was.
        byte[] old = random(100, 64);
        Path target = Files.write(dir.resolve("target.bin"), old);
        byte[] head = "head".getBytes(StandardCharsets.UTF_8);
        byte[] tail = "tail".getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream whole = new ByteArrayOutputStream();
        whole.write(head);
        whole.write(old);
        whole.write(tail);
        byte[] fresh = whole.toByteArray();
        for (FileDigest kind : FileDigest.values()) {
            for (boolean right : new boolean[] {false, true}) {
                Files.write(target, old);
                byte[] digest = digestOf(kind, fresh);
                if (!right) {
                    digest[0] ^= 1;
                }
                byte[] requests = WireBytes.encode(
                        new OpenUpload("target.bin", fresh.length, 0644, 0, 8192, 8, SignatureRequest.FULL, kind),
                        dev.ferry.delta.protocol.Literal.raw(head),
                        new CopyChunks(0, 1),
                        dev.ferry.delta.protocol.Literal.raw(tail),
                        new FileEnd(fresh.length, kind, digest, 0644, 0));
                List<dev.ferry.delta.protocol.DeltaMessage> answers = answersTo(requests);
                assertEquals(right, ok(answers), kind + " " + answers);
                if (!right) { // a mismatch after a delta: another pass with full digests is asked for
                    assertTrue(answers.get(answers.size() - 1) instanceof dev.ferry.delta.protocol.Retry,
                            kind.toString());
                }
                assertArrayEquals(right ? fresh : old, Files.readAllBytes(target), kind + " " + right);
                assertNoTemporaryFiles();
            }
        }
    }

    /** 24 MiB: about 24k chunks of 1 KiB (FileChunking), enough for a two-level signature. */
    private static final int GROUPED_SIZE = 24 << 20;

    /** What a one-level signature of the {@link #GROUPED_SIZE} file would cost: 7-byte digests. */
    private static final long ONE_LEVEL_SIGNATURE = GROUPED_SIZE / 1024 * 7;

    @Test
    void aLargeAppendedFileIsSignedInGroupsAndNeedsAlmostNoDetailBothWays() throws Exception {
        byte[] old = random(GROUPED_SIZE, 50);
        byte[] appended = java.util.Arrays.copyOf(old, old.length + (1 << 20));
        System.arraycopy(random(1 << 20, 51), 0, appended, old.length, 1 << 20);
        FileChunking chunking = FileChunking.choose(PARAMS, old.length, appended.length);
        assertTrue(Uploads.groups(old.length, appended.length, chunking), "the sizes ask for two levels");
        assertEquals(7, chunking.digestLength());

        Run run = sync(old, appended); // both ways, byte for byte
        assertFalse(run.retried());
        // all but the old file's last chunk, which its end cut short and the append lengthened
        assertTrue(run.outcome().matchedBytes() > old.length - chunking.params().max(),
                "matched " + run.outcome().matchedBytes());
        // groups (9 bytes per ~32 chunks) and the detail of the last old group, which the append
        // lengthened: a twentieth of a one-level signature
        assertTrue(run.toRequester() < ONE_LEVEL_SIGNATURE / 20, "signature bytes " + run.toRequester());
    }

    @Test
    void scatteredEditsOfALargeFileAskForTheDetailOfTheEditedGroupsOnly() throws Exception {
        byte[] old = random(GROUPED_SIZE, 52);
        ByteArrayOutputStream edited = new ByteArrayOutputStream();
        int[] at = new Random(53).ints(40, 0, old.length).sorted().toArray();
        int from = 0;
        for (int offset : at) {
            edited.write(old, from, offset - from);
            edited.write(random(16, offset), 0, 16);
            from = offset;
        }
        edited.write(old, from, old.length - from);
        Run run = sync(old, edited.toByteArray());
        assertTrue(run.outcome().literalBytes() < 40 * 3 * 1024, "literal " + run.outcome().literalBytes());
        // 40 edited groups of ~32 chunks of 7 bytes, plus the groups: under a quarter of one level
        assertTrue(run.toRequester() < ONE_LEVEL_SIGNATURE / 4, "signature bytes " + run.toRequester());
        assertTrue(run.toRequester() > 40 * 16 * 7, "the detail of the edited groups came: " + run.toRequester());
    }

    @Test
    void aGroupedFileThatFailsItsDigestGoesAgainWithOneLevelAndFullDigests() throws Exception {
        byte[] old = random(GROUPED_SIZE, 54);
        byte[] edited = old.clone();
        edited[100] ^= 1;
        Path target = Files.write(dir.resolve("target.bin"), old);
        Path source = Files.write(dir.resolve("source.bin"), edited);
        // The old file changes in place when the sender's DetailRequest (the responder's second
        // read) arrives: the chunks it will copy are no longer the ones its groups described.
        Run run = upload(source, target, false, DeltaMode.DELTA, changeAtSecondRead(target, 12 << 20), new Estimates());
        assertTrue(run.retried(), run.log().toString());
        assertEquals(null, run.failure());
        assertArrayEquals(edited, Files.readAllBytes(target));
        assertNoTemporaryFiles();
    }

    @Test
    void aDetailRequestWhereNoGroupedSignatureAwaitsOneIsRefusedAndChangesNothing() throws Exception {
        byte[] old = random(100_000, 55);
        Path target = Files.write(dir.resolve("target.bin"), old);
        byte[] sent = WireBytes.encode(
                new OpenUpload("target.bin", 100_000, 0644, 0, 8192, 8, SignatureRequest.FULL),
                dev.ferry.delta.protocol.DetailRequest.of(1, WireBytes.groups(0)));
        ProtocolException e = assertThrows(ProtocolException.class, () -> respond(sent));
        assertEquals("got DetailRequest but no two-level signature awaits one", e.getMessage());
        assertArrayEquals(old, Files.readAllBytes(target));
        assertNoTemporaryFiles();
    }

    @Test
    void aDetailRequestThatMiscountsTheGroupsIsRefusedAndChangesNothing() throws Exception {
        byte[] old = random(GROUPED_SIZE, 56);
        Path target = Files.write(dir.resolve("target.bin"), old);
        byte[] sent = WireBytes.encode(
                new OpenUpload("target.bin", old.length, 0644, 0, 1024, 7, SignatureRequest.GROUPED),
                dev.ferry.delta.protocol.DetailRequest.of(5, WireBytes.groups(4)));
        ProtocolException e = assertThrows(ProtocolException.class, () -> respond(sent));
        assertTrue(e.getMessage().startsWith("the detail request counts 5 groups but the signature had "),
                e.getMessage());
        assertArrayEquals(old, Files.readAllBytes(target));
        assertNoTemporaryFiles();
    }

    @Test
    void aSecondDetailRequestOrOneAfterAnInstructionIsRefused() throws Exception {
        byte[] old = random(GROUPED_SIZE, 57);
        Path target = Files.write(dir.resolve("target.bin"), old);
        for (boolean afterInstruction : new boolean[] {false, true}) {
            byte[] sent = WireBytes.encode(
                    new OpenUpload("target.bin", old.length, 0644, 0, 1024, 7, SignatureRequest.GROUPED),
                    afterInstruction ? new CopyChunks(0, 1)
                            : dev.ferry.delta.protocol.DetailRequest.of(groupsOf(old), WireBytes.groups(0)),
                    dev.ferry.delta.protocol.DetailRequest.of(groupsOf(old), WireBytes.groups(1)));
            ProtocolException e = assertThrows(ProtocolException.class, () -> respond(sent));
            assertEquals("got DetailRequest but no two-level signature awaits one", e.getMessage());
            assertArrayEquals(old, Files.readAllBytes(target));
            assertNoTemporaryFiles();
        }
    }

    @Test
    void aSenderRefusesGroupsItDidNotAskForAndASignatureThatMixesLevels() throws Exception {
        dev.ferry.delta.protocol.GroupBatch groupBatch = new dev.ferry.delta.protocol.GroupBatch(64,
                new long[] {1, 2}, new int[] {1, 1});
        dev.ferry.delta.protocol.SignatureBatch chunkBatch = new dev.ferry.delta.protocol.SignatureBatch(8, 64,
                new byte[16]);
        ProtocolException notAsked = assertThrows(ProtocolException.class,
                () -> receive(false, groupBatch, new SignatureEnd(true, 64, 2)));
        assertEquals("got GroupBatch where a one-level signature was asked for", notAsked.getMessage());
        ProtocolException mixed = assertThrows(ProtocolException.class,
                () -> receive(true, groupBatch, chunkBatch, new SignatureEnd(true, 128, 4)));
        assertEquals("a signature may not mix SignatureBatch and GroupBatch", mixed.getMessage());
        ProtocolException mixedTheOtherWay = assertThrows(ProtocolException.class,
                () -> receive(true, chunkBatch, groupBatch, new SignatureEnd(true, 128, 4)));
        assertEquals("a signature may not mix SignatureBatch and GroupBatch", mixedTheOtherWay.getMessage());
        Signature.Received fine = receive(true, groupBatch, new SignatureEnd(true, 64, 2));
        assertEquals(2, fine.oldChunks());
        assertEquals(1, fine.groups().find(2));
    }

    /** A responder's input that flips a byte of {@code target} at {@code offset} at its second read. */
    private static Wrap changeAtSecondRead(Path target, int offset) {
        return in -> new FilterInputStream(in) {
            int reads;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (++reads == 2) {
                    byte[] now = Files.readAllBytes(target);
                    now[offset] ^= (byte) 0xff;
                    Files.write(target, now);
                }
                return super.read(b, off, len);
            }
        };
    }

    /** The sender's side of a signature made of {@code messages}. */
    private static Signature.Received receive(boolean grouped, dev.ferry.delta.protocol.DeltaMessage... messages)
            throws IOException {
        return Signature.receive(new MessageReader(new java.io.ByteArrayInputStream(WireBytes.encode(messages))),
                new MessageWriter(OutputStream.nullOutputStream()), 8, grouped, Signature.Cutoff.NEVER);
    }


    /** The groups of {@code bytes} cut at 1 KiB chunks, as the receiver counts them. */
    private static int groupsOf(byte[] bytes) {
        int[] count = new int[1];
        dev.ferry.cdc.ChunkGroups grouping = new dev.ferry.cdc.ChunkGroups((first, n, name) -> count[0]++);
        dev.ferry.cdc.GearChunker chunker = new dev.ferry.cdc.GearChunker(PARAMS.withAverage(1024));
        chunker.chunks(bytes)
                .forEach(c -> grouping.add(dev.ferry.cdc.ChunkDigest.of(bytes, (int) c.offset(), c.length())));
        grouping.end();
        return count[0];
    }
}
