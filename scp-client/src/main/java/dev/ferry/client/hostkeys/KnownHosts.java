package dev.ferry.client.hostkeys;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import org.apache.sshd.client.config.hosts.KnownHostHashValue;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;

/**
 * The trusted host keys of one or more {@code known_hosts} files, in OpenSSH's format: plain and
 * comma-separated names, {@code [host]:port}, hashed names ({@code |1|salt|hmac}), wildcards
 * ({@code *}, {@code ?}), negation ({@code !}), {@code @revoked}; {@code @cert-authority} lines are
 * ignored. A malformed line is skipped (and listed in {@link #skipped()}), not fatal; a missing
 * file is empty.
 *
 * <p>An instance is a snapshot: read the files again to see later changes.
 */
public final class KnownHosts {

    private final List<KnownHostLine> lines;
    private final List<String> skipped;

    private KnownHosts(List<KnownHostLine> lines, List<String> skipped) {
        this.lines = List.copyOf(lines);
        this.skipped = List.copyOf(skipped);
    }

    /**
     * Reads {@code files} in order (as OpenSSH reads UserKnownHostsFile, then GlobalKnownHostsFile).
     *
     * @throws IOException when a file exists but cannot be read
     */
    public static KnownHosts read(List<Path> files) throws IOException {
        List<KnownHostLine> lines = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (Path file : files) {
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(file);
            } catch (NoSuchFileException e) {
                continue;
            }
            // Decoded leniently: a stray byte in a comment must not make the whole file unreadable.
            String[] text = new String(bytes, StandardCharsets.UTF_8).split("\r?\n", -1);
            for (int i = 0; i < text.length; i++) {
                try {
                    KnownHostLine.parse(file, i + 1, text[i]).ifPresent(lines::add);
                } catch (RuntimeException e) {
                    skipped.add(file + ":" + (i + 1) + ": " + e.getMessage());
                }
            }
        }
        return new KnownHosts(lines, skipped);
    }

    /**
     * OpenSSH's name for a host in {@code known_hosts}: {@code host} on port 22, {@code [host]:port}
     * otherwise, lower case (as {@code ssh} lowercases host names before looking them up, which
     * matters for hashed entries).
     */
    public static String hostName(String host, int port) {
        String h = host.strip().toLowerCase(Locale.ROOT);
        if (h.length() > 1 && h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1); // an IPv6 literal written as in a URL
        }
        if (h.isEmpty()) {
            throw new IllegalArgumentException("empty host name");
        }
        return KnownHostHashValue.createHostPattern(h, port);
    }

    /**
     * What these files say about {@code hostName} (as made by {@link #hostName}) presenting {@code key}.
     * A revoked key is {@link Lookup.Status#REVOKED} whatever name it is listed under, since the
     * revocation says the key itself is compromised; otherwise OpenSSH's rules apply: the name listed
     * with this key is a match, listed only with other keys of the same type a mismatch, and listed
     * only with keys of other types (or not at all) unknown.
     */
    public Lookup lookup(String hostName, PublicKey key) {
        Optional<KnownHostLine> revoked = revocation(key);
        if (revoked.isPresent()) {
            return at(Lookup.Status.REVOKED, revoked.get());
        }
        String name = hostName.toLowerCase(Locale.ROOT);
        KnownHostLine changed = null;
        for (KnownHostLine line : lines) {
            if (line.revoked() || !line.matches(name)) {
                continue;
            }
            if (KeyUtils.compareKeys(line.key(), key)) {
                return at(Lookup.Status.MATCH, line);
            }
            if (changed == null && KeyUtils.getKeyType(line.key()).equals(KeyUtils.getKeyType(key))) {
                changed = line;
            }
        }
        return changed == null ? Lookup.UNKNOWN : at(Lookup.Status.MISMATCH, changed);
    }

    /** Whether {@code key} is trusted under any name, plain, wildcard or hashed, and not revoked. */
    public boolean knows(PublicKey key) {
        return revocation(key).isEmpty() && lines.stream().anyMatch(l -> !l.revoked() && KeyUtils.compareKeys(l.key(), key));
    }

    /**
     * The plain names (no wildcard, no negation) under which {@code key} is trusted, as written, in
     * file order, less those its own line negates; empty for a revoked key.
     * Hashed entries have no name to report: see {@link #knows}.
     */
    public List<String> namesOf(PublicKey key) {
        if (revocation(key).isPresent()) {
            return List.of();
        }
        Set<String> names = new LinkedHashSet<>();
        for (KnownHostLine line : lines) {
            if (!line.revoked() && KeyUtils.compareKeys(line.key(), key)) {
                // Not a name the same line negates ("a.com,!a.com KEY"): the key is not trusted under it.
                line.plainNames().stream().filter(n -> line.matches(n.toLowerCase(Locale.ROOT))).forEach(names::add);
            }
        }
        return List.copyOf(names);
    }

    /**
     * Whether a line trusting {@code key} explicitly excludes {@code hostName} with a negated pattern
     * ({@code *.example.com,!relay.example.com KEY}): whoever wrote that did not want this key
     * accepted for that name, so {@code known-key} must not accept it either.
     */
    boolean excludes(String hostName, PublicKey key) {
        String name = hostName.toLowerCase(Locale.ROOT);
        for (KnownHostLine line : lines) {
            if (line.revoked() || line.hashed() || !KeyUtils.compareKeys(line.key(), key)) {
                continue;
            }
            for (String p : line.patterns()) {
                if (p.startsWith("!") && KnownHostLine.glob(name, p.substring(1).toLowerCase(Locale.ROOT))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The malformed lines that were skipped, as {@code file:line: reason}, for a verbose mode. */
    public List<String> skipped() {
        return skipped;
    }

    /**
     * Appends {@code hostName keytype base64} to {@code file}, creating the file (mode 0600) and its
     * directory (mode 0700) when missing, as {@code ssh} does for {@code ~/.ssh/known_hosts}.
     *
     * @throws IllegalArgumentException when {@code hostName} could not be read back as that one name
     *                                  (blank, whitespace, commas, wildcards, or a leading
     *                                  {@code ! | @ #})
     */
    public static void append(Path file, String hostName, PublicKey key) throws IOException {
        checkRecordable(hostName);
        String line = hostName + " " + PublicKeyEntry.toString(key) + "\n";
        boolean posix = file.getFileSystem().supportedFileAttributeViews().contains("posix");
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            if (posix) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectories(dir);
            }
        }
        if (endsWithoutNewline(file)) {
            line = "\n" + line; // a hand-edited file: do not glue the new entry onto its last line
        }
        Set<OpenOption> options = Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        // One write in append mode, so that two clients adding hosts at once do not interleave lines.
        try (SeekableByteChannel out = posix
                ? Files.newByteChannel(file, options, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                : Files.newByteChannel(file, options)) {
            ByteBuffer bytes = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
        }
    }

    private static void checkRecordable(String hostName) {
        boolean bad = hostName == null || hostName.isEmpty() || "!|@#".indexOf(hostName.charAt(0)) >= 0
                || hostName.chars().anyMatch(c -> c <= ' ' || c == 0x7f || c == ',' || c == '*' || c == '?');
        if (bad) {
            throw new IllegalArgumentException("cannot record \"" + hostName + "\" in known_hosts: a host name must not "
                    + "be blank, contain spaces, commas or wildcards, or start with ! | @ #.");
        }
    }

    private static boolean endsWithoutNewline(Path file) throws IOException {
        try (SeekableByteChannel in = Files.newByteChannel(file, StandardOpenOption.READ)) {
            long size = in.size();
            if (size == 0) {
                return false;
            }
            ByteBuffer last = ByteBuffer.allocate(1);
            in.position(size - 1);
            return in.read(last) == 1 && last.get(0) != '\n';
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    private Optional<KnownHostLine> revocation(PublicKey key) {
        return lines.stream().filter(l -> l.revoked() && KeyUtils.compareKeys(l.key(), key)).findFirst();
    }

    private static Lookup at(Lookup.Status status, KnownHostLine line) {
        return new Lookup(status, line.file(), line.number());
    }
}
