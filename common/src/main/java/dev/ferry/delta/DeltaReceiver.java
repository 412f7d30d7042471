package dev.ferry.delta;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.security.SecureRandom;
import java.util.HexFormat;

import dev.ferry.cdc.ChunkDigest;
import dev.ferry.cdc.ChunkerParams;
import dev.ferry.delta.protocol.DeltaMessage;
import dev.ferry.delta.protocol.MessageReader;
import dev.ferry.delta.protocol.MessageWriter;
import dev.ferry.delta.protocol.Result;
import dev.ferry.delta.protocol.Retry;

/**
 * The side that holds the old file and ends up with the new one: signature, then patch into a
 * temporary file beside the target, then rename into place once the size and the SHA-256 are right.
 * A mismatch (a truncated-digest collision, or the old file changing under us) gets one more pass
 * with full 16-byte digests. Whatever goes wrong, the old file is untouched and the temporary file
 * removed.
 */
public final class DeltaReceiver {

    /**
     * What it took.
     *
     * @param verified false: even the second pass did not match the sender's SHA-256, the target is
     *                 unchanged (both sides know, the session is still in step)
     */
    public record Received(boolean verified, long size, long literalBytes, long matchedBytes, int passes) {
    }

    /**
     * Below this a receiver sends no signature and takes the file whole: a delta cannot save more
     * than the round trip the signature costs.
     */
    public static final long SMALL_FILE = 64 * 1024;

    private static final SecureRandom RANDOM = new SecureRandom();

    private DeltaReceiver() {
    }

    /**
     * Brings {@code target} up to date from the sender at the other end of {@code in} and {@code out}.
     * A regular file at {@code target} is the old copy; a symbolic link there is replaced, not followed.
     *
     * @param whole send no signature: the sender sends every byte (faster when the network is)
     */
    public static Received receive(MessageReader in, MessageWriter out, Path target, ChunkerParams params,
            int digestLength, boolean zstd, boolean whole) throws IOException {
        return receive(in, out, target, params, digestLength, zstd, whole, null);
    }

    /**
     * As above, with {@code request} (the client's {@code OpenDownload}) sent just before the first
     * signature: a refusal here (a directory at the target, say) is then a local error, and nothing
     * reaches the peer.
     */
    public static Received receive(MessageReader in, MessageWriter out, Path target, ChunkerParams params,
            int digestLength, boolean zstd, boolean whole, DeltaMessage request) throws IOException {
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new DeltaRefused(target.getFileName() + " is a directory");
        }
        Path old = !whole && Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS) ? target : null;
        int length = digestLength;
        for (int pass = 1; ; pass++) {
            // The temporary file first: if it cannot be made (no such directory, read-only), the
            // sender hears so before anything else and the session stays in step.
            Path temp = temporaryBeside(target);
            try {
                Files.createFile(temp);
            } catch (NoSuchFileException e) {
                throw new DeltaRefused("no such directory: " + target.getParent());
            } catch (AccessDeniedException e) {
                throw new DeltaRefused("permission denied: cannot write in " + target.getParent());
            } catch (IOException e) {
                throw new DeltaRefused("cannot write " + target.getFileName() + ": " + e.getMessage());
            }
            try {
                if (request != null && pass == 1) {
                    out.write(request);
                }
                Basis basis = Signature.send(old, params, length, out);
                out.flush();
                Patch.Outcome o = Patch.apply(in, old, basis, temp, zstd);
                if (o.verified()) {
                    applyModeAndTime(temp, o.end().mode(), o.end().mtimeMillis());
                    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    out.write(new Result(true, o.literalBytes(), o.matchedBytes()));
                    out.flush();
                    return new Received(true, o.size(), o.literalBytes(), o.matchedBytes(), pass);
                }
                Files.deleteIfExists(temp);
                if (pass == 1) {
                    length = ChunkDigest.BYTES;
                    out.write(new Retry(length));
                    out.flush();
                    continue;
                }
                out.write(new Result(false, o.literalBytes(), o.matchedBytes()));
                out.flush();
                return new Received(false, o.size(), o.literalBytes(), o.matchedBytes(), pass);
            } catch (IOException | RuntimeException | Error e) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException | RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
        }
    }

    /** A name in the target's directory, hidden, that says what it is: {@code .NAME.ferry-delta-XXXXXXXX}. */
    static Path temporaryBeside(Path target) {
        byte[] r = new byte[4];
        RANDOM.nextBytes(r);
        return target.resolveSibling("." + target.getFileName() + ".ferry-delta-" + HexFormat.of().formatHex(r));
    }

    /** The sender's permission bits (never setuid, setgid or sticky) and modification time. */
    static void applyModeAndTime(Path file, int mode, long mtimeMillis) throws IOException {
        PosixFileAttributeView posix = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        if (posix != null) {
            posix.setPermissions(Modes.permissions(mode & 0777));
        }
        Files.setLastModifiedTime(file, FileTime.fromMillis(mtimeMillis));
    }

    /** The permission bits of a file, as a number (0644 when the file system has none). */
    public static int modeOf(Path file) throws IOException {
        PosixFileAttributeView posix = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        if (posix == null) {
            return 0644;
        }
        return Modes.bits(posix.readAttributes().permissions());
    }
}
