package dev.ferry.server.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;

import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

import dev.ferry.security.KeyFiles;
import dev.ferry.server.auth.Passwords;
import dev.ferry.server.auth.UserAccount;
import dev.ferry.server.auth.UserDirectory;
import dev.ferry.server.auth.UserLimits;
import dev.ferry.server.fs.FsPolicy;
import dev.ferry.transport.TransportProfile;

/**
 * The users file, in YAML:
 *
 * <pre>
 * users:
 *   alice:
 *     root: /srv/sftp/alice
 *     password: $argon2id$v=19$m=19456,t=2,p=1$...
 *     authorizedKeys:
 *       - ssh-ed25519 AAAAC3Nz... alice@laptop
 *     readOnly: false
 *     umask: "022"
 *     quota: {bytes: 10G, files: 100000}
 *     bandwidth: {upload: 20M, download: 50M}
 *     maxSessions: 4
 * </pre>
 *
 * It holds password hashes, so it is written with mode 0600, atomically (temporary file, then rename).
 */
public final class UsersFile {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS));

    /** The file's top level. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    @JsonIgnoreProperties(ignoreUnknown = false)
    record Document(Map<String, UserEntry> users) {
        Document {
            users = users == null ? new TreeMap<>() : new TreeMap<>(users);
        }
    }

    private final Path file;
    private final Map<String, UserEntry> users;

    private UsersFile(Path file, Map<String, UserEntry> users) {
        this.file = file;
        this.users = new TreeMap<>(users);
    }

    /** Reads {@code file}; a file that does not exist yet has no users. */
    public static UsersFile read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return new UsersFile(file, Map.of());
        }
        try {
            Document doc = YAML.readValue(Files.readString(file), Document.class);
            return new UsersFile(file, doc == null ? Map.of() : doc.users());
        } catch (UnrecognizedPropertyException e) {
            throw new IOException(file + ": unknown setting '" + Text.shown(e.getPropertyName()) + "' (known: "
                    + e.getKnownPropertyIds() + ")");
        } catch (JsonProcessingException e) {
            throw new IOException(file + " is not a valid users file: " + Text.shown(problem(e)));
        }
    }

    /**
     * What is wrong, on one line with where: ferryd prints the message as its one sentence, and the
     * YAML parser's own message spans five lines (context, a copy of the line, a caret, the problem
     * and its place again).
     */
    private static String problem(JsonProcessingException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof MarkedYAMLException yaml && yaml.getProblem() != null) {
                Mark mark = yaml.getProblemMark();
                return yaml.getProblem().strip() + (mark == null ? ""
                        : " (line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1) + ")");
            }
        }
        String message = String.valueOf(e.getOriginalMessage()).lines().findFirst().orElse("").strip();
        JsonLocation at = e.getLocation();
        return at == null || at.getLineNr() < 1 ? message
                : message + " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
    }

    public Path file() {
        return file;
    }

    public Optional<UserEntry> get(String name) {
        return Optional.ofNullable(users.get(name));
    }

    public Map<String, UserEntry> users() {
        return Map.copyOf(users);
    }

    public void put(String name, UserEntry entry) {
        users.put(name, entry);
    }

    public boolean remove(String name) {
        return users.remove(name) != null;
    }

    /** Writes the file atomically with mode 0600. */
    public void write() throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".users", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            String text = "# ferryd users file; see README.md. Written by 'ferryd user'.\n"
                    + YAML.writeValueAsString(new Document(users));
            Files.writeString(tmp, text);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * The accounts this file describes, with paths resolved against the file's directory.
     *
     * @throws IOException naming the user and the setting that is wrong
     */
    public UserDirectory toDirectory() throws IOException {
        List<UserAccount> accounts = new ArrayList<>();
        for (Map.Entry<String, UserEntry> e : users.entrySet()) {
            accounts.add(toAccount(file + ": user '" + Text.shown(e.getKey()) + "'", file.toAbsolutePath().getParent(),
                    e.getKey(), e.getValue()));
        }
        return new UserDirectory(accounts);
    }

    /**
     * The account {@code entry} describes, checked as the users file's are (a user store keeps
     * entries too).
     *
     * @param where the user and where they are written, for messages
     * @param base  the directory relative roots and keys files are resolved against
     */
    public static UserAccount toAccount(String where, Path base, String name, UserEntry entry) throws IOException {
        if (entry == null || entry.root() == null || entry.root().isBlank()) { // "alice:" alone is null
            throw new IOException(where + " has no root");
        }
        Path root = base.resolve(entry.root()).normalize();
        if (!Files.isDirectory(root)) {
            throw new NoSuchFileException(Text.shown(root.toString()), null, "the root of user '" + Text.shown(name)
                    + "' is not a directory");
        }
        if (entry.password() != null && !Passwords.isSupportedHash(entry.password())) {
            throw new IOException(where + ": password is not an Argon2id or bcrypt hash (use 'ferryd user passwd')");
        }
        List<PublicKey> keys;
        try {
            keys = KeyFiles.parseAuthorizedKeys(entry.authorizedKeys());
        } catch (IllegalArgumentException e) {
            throw new IOException(where + ": " + Text.shown(e.getMessage()));
        }
        int umask;
        try {
            umask = entry.umask() == null ? FsPolicy.DEFAULT_UMASK : FsPolicy.Modes.parseOctal(entry.umask());
            FsPolicy policy = new FsPolicy(Boolean.TRUE.equals(entry.readOnly()), umask,
                    Boolean.TRUE.equals(entry.allowLinks()));
            Optional<Path> keysFile = Optional.ofNullable(entry.authorizedKeysFile()).map(base::resolve);
            if (keys.isEmpty() && keysFile.isEmpty() && entry.password() == null) {
                throw new IOException(where + " has neither a password nor a key, so cannot log in");
            }
            return new UserAccount(name, root, Optional.ofNullable(entry.password()), keys, keysFile, policy,
                    limits(where, entry));
        } catch (IllegalArgumentException e) {
            throw new IOException(where + ": " + Text.shown(e.getMessage()));
        }
    }

    private static UserLimits limits(String where, UserEntry entry) throws IOException {
        UserEntry.Quota quota = entry.quota();
        UserEntry.Bandwidth rate = entry.bandwidth();
        long files = quota == null || quota.files() == null ? 0 : quota.files();
        int sessions = entry.maxSessions() == null ? 0 : entry.maxSessions();
        if (files < 0 || sessions < 0) {
            throw new IOException(where + ": " + (files < 0 ? "quota.files" : "maxSessions") + " cannot be negative");
        }
        return new UserLimits(size(where, "quota.bytes", quota == null ? null : quota.bytes()), files,
                size(where, "bandwidth.upload", rate == null ? null : rate.upload()),
                size(where, "bandwidth.download", rate == null ? null : rate.download()), sessions);
    }

    /** A size with an optional unit (K, M, G; powers of 1024); absent or 0: unlimited. */
    private static long size(String where, String setting, String text) throws IOException {
        if (text == null || text.isBlank()) {
            return 0;
        }
        try {
            return TransportProfile.parseSize(text.strip());
        } catch (IllegalArgumentException e) {
            throw new IOException(where + ": " + setting + " '" + Text.shown(text) + "' is not a size such as 500M or 10G");
        }
    }
}
