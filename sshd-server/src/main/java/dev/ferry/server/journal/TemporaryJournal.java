package dev.ferry.server.journal;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import dev.ferry.fs.TemporaryFiles;
import dev.ferry.fs.TemporaryName;
import dev.ferry.server.fs.ConfinedFileSystemProvider;
import dev.ferry.server.log.EventSink;
import dev.ferry.server.log.ServerEvent;

/**
 * One file in ferryd's state directory that lists the temporary files of the uploads in flight:
 * a line {@code + PATH} before a temporary file is made, {@code - PATH} once it is renamed into
 * place or deleted. At start ({@link #start}) every path listed and not struck off is a leftover
 * of a server that stopped without cleaning up; each is deleted if it is still there, inside a
 * user's root, a regular file (never a link followed) and named as Ferry names its disposable
 * temporaries, and logged ({@link ServerEvent.LeftoverRemoved}).
 *
 * <p>Per file this costs two short appends (two write(2) calls, no sync): a kill of the server
 * loses nothing already written (the kernel holds it), and a crash of the machine itself may lose
 * the last lines, leaving a hidden temporary file nobody removes. The appends go through a
 * {@link RandomAccessFile}, not a {@code FileChannel}: MINA closes an SFTP handle on a thread it
 * has interrupted, and a channel would close itself at the first write there. Paths are the real
 * ones on disk, one per line, with backslashes and newlines escaped.
 */
public final class TemporaryJournal implements TemporaryFiles, AutoCloseable {

    /** The journal's name in the state directory. */
    public static final String FILE_NAME = "uploads-in-flight";

    /** Once every listed file is gone, a journal longer than this is emptied. */
    private static final long EMPTIED_FROM = 1 << 20;
    /** A journal that never empties (uploads always in flight) is rewritten with the live entries past this. */
    private static final long REWRITTEN_FROM = 64L << 20;

    private final Path file;
    private final Set<Path> live = new HashSet<>();
    private RandomAccessFile out; // null until started, and after close
    /** The users' roots, real paths, as {@link #start} found them. */
    private List<Path> roots = List.of();

    public TemporaryJournal(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    /**
     * Removes the leftovers a previous run listed (see the class comment), reports each, then
     * empties the journal and opens it for this run.
     *
     * @param roots the users' roots: a listed path outside all of them is never touched
     */
    public synchronized void start(Collection<Path> roots, EventSink events) throws IOException {
        List<Path> realRoots = new ArrayList<>();
        for (Path root : roots) {
            try {
                realRoots.add(root.toRealPath());
            } catch (IOException e) {
                // a root that is gone holds no leftovers
            }
        }
        this.roots = realRoots;
        if (Files.exists(file)) {
            for (Path leftover : inFlight(file)) {
                removeLeftover(leftover, realRoots, events);
            }
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        out = new RandomAccessFile(file.toFile(), "rw");
        out.setLength(0);
    }

    @Override
    public synchronized void creating(Path temp) throws IOException {
        if (out == null) {
            throw new IOException("ferryd's journal of uploads in flight is not open (" + file + ")");
        }
        Path onDisk = ConfinedFileSystemProvider.onDisk(temp);
        append('+', onDisk);
        live.add(onDisk);
    }

    @Override
    public synchronized void gone(Path temp) {
        Path onDisk = ConfinedFileSystemProvider.onDisk(temp);
        if (out == null || !live.remove(onDisk)) {
            return;
        }
        try {
            long length = out.length();
            if (live.isEmpty() && length > EMPTIED_FROM) {
                out.setLength(0);
            } else if (length > REWRITTEN_FROM) {
                out.setLength(0);
                for (Path p : live) {
                    append('+', p);
                }
            } else {
                append('-', onDisk);
            }
        } catch (IOException e) {
            // The file is gone all the same; at worst the next start looks for it and finds nothing.
        }
    }

    /**
     * Removes the temporary files still in flight, as the next start would (the same checks, the same
     * log lines): called once the server has closed every connection, when each is an upload that was
     * cut (a stop past its grace period), whose connection's own clean-up may not run before the
     * process exits.
     */
    public synchronized void removeInFlight(EventSink events) throws IOException {
        if (out == null) {
            return;
        }
        for (Path temp : live) {
            removeLeftover(temp, roots, events);
        }
        live.clear();
        out.setLength(0); // each one removed or reported kept: nothing is left for the next start
    }

    @Override
    public synchronized void close() throws IOException {
        if (out != null) {
            out.close();
            out = null;
        }
    }

    private void append(char op, Path path) throws IOException {
        out.seek(out.length());
        out.write((op + " " + escape(path.toString()) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** The paths listed in {@code journal} and not struck off, in the order they were listed. */
    static Set<Path> inFlight(Path journal) throws IOException {
        Set<Path> listed = new LinkedHashSet<>();
        for (String line : new String(Files.readAllBytes(journal), StandardCharsets.UTF_8).split("\n")) {
            if (line.length() < 3 || line.charAt(1) != ' ') {
                continue; // a line cut short by a crash
            }
            Path p = Path.of(unescape(line.substring(2)));
            if (line.charAt(0) == '+') {
                listed.add(p);
            } else if (line.charAt(0) == '-') {
                listed.remove(p);
            }
        }
        return listed;
    }

    private static void removeLeftover(Path leftover, List<Path> realRoots, EventSink events) {
        String shown = leftover.toString();
        Path name = leftover.getFileName();
        Path parent = leftover.toAbsolutePath().getParent();
        if (name == null || parent == null || !TemporaryName.isDisposable(name.toString())) {
            events.accept(new ServerEvent.LeftoverKept(shown, "not the name of a Ferry temporary file"));
            return;
        }
        try {
            // The directory with the links on its way resolved; the name itself is never followed.
            Path real = parent.toRealPath().resolve(name);
            if (realRoots.stream().noneMatch(real::startsWith)) {
                events.accept(new ServerEvent.LeftoverKept(shown, "outside every user's root"));
            } else if (!Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                    .isRegularFile()) {
                events.accept(new ServerEvent.LeftoverKept(shown, "not a regular file"));
            } else {
                Files.delete(real);
                events.accept(new ServerEvent.LeftoverRemoved(shown));
            }
        } catch (NoSuchFileException gone) {
            // renamed or deleted before the server stopped, in the moment before it struck it off
        } catch (IOException | RuntimeException e) {
            events.accept(new ServerEvent.LeftoverKept(shown, String.valueOf(e.getMessage())));
        }
    }

    static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\n", "\\n");
    }

    static String unescape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char n = s.charAt(++i);
                b.append(n == 'n' ? '\n' : n);
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
