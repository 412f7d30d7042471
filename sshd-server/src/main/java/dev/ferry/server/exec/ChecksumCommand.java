package dev.ferry.server.exec;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import org.apache.sshd.server.command.AbstractFileSystemCommand;

/**
 * {@code md5sum}, {@code sha1sum} and {@code sha256sum} as GNU coreutils print them
 * ({@code HEX  NAME}, one line per file; {@code -} for standard input when no file is named), on
 * the session's confined file system, so containment is the same as for SFTP: a name outside the
 * root, or a link leading out of it, reads nothing. Exit status 1 when any file could not be read,
 * with one line on stderr for each, as GNU's.
 */
public final class ChecksumCommand extends AbstractFileSystemCommand {

    /** The three programs and their digests. */
    public enum Program {
        MD5SUM("md5sum", "MD5"), SHA1SUM("sha1sum", "SHA-1"), SHA256SUM("sha256sum", "SHA-256");

        private final String name;
        private final String digest;

        Program(String name, String digest) {
            this.name = name;
            this.digest = digest;
        }

        /** The program a command line's first word names, if it is one of these. */
        public static Optional<Program> named(String word) {
            for (Program p : values()) {
                if (p.name.equals(word)) {
                    return Optional.of(p);
                }
            }
            return Optional.empty();
        }

        MessageDigest newDigest() {
            try {
                return MessageDigest.getInstance(digest);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("the JDK has no " + digest, e);
            }
        }
    }

    private final Program program;
    private final List<String> names;

    /**
     * @param names the file names after the program's name, already unquoted; options other than
     *              {@code --} are refused by {@link #check}
     */
    public ChecksumCommand(String command, Program program, List<String> names) {
        super(command, null);
        this.program = program;
        this.names = names;
    }

    /** Why the arguments cannot be run, or empty: GNU's options are not offered (rclone needs none). */
    public static Optional<String> check(Program program, List<String> names) {
        for (String name : names) {
            if (name.equals("--")) {
                break;
            }
            if (name.startsWith("-") && !name.equals("-")) {
                return Optional.of(program.name + ": option " + name + " is not supported by ferryd");
            }
        }
        return Optional.empty();
    }

    @Override
    public void run() {
        OutputStream out = getOutputStream();
        OutputStream err = getErrorStream();
        int exit = 0;
        List<String> files = names.isEmpty() ? List.of("-") : names.stream().filter(n -> !n.equals("--")).toList();
        try {
            for (String name : files) {
                try {
                    byte[] sum = name.equals("-") ? digest(getInputStream()) : digest(fileSystem.getPath(name));
                    out.write((line(HexFormat.of().formatHex(sum), name) + "\n").getBytes(StandardCharsets.UTF_8));
                } catch (IOException | RuntimeException e) {
                    exit = 1;
                    err.write((program.name + ": " + name + ": " + reason(e) + "\n").getBytes(StandardCharsets.UTF_8));
                }
            }
            out.flush();
            err.flush();
        } catch (IOException e) {
            exit = 1; // the client has gone
        } finally {
            onExit(exit, exit == 0 ? "" : program.name + " failed");
        }
    }

    private byte[] digest(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new IOException("Is a directory");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return digest(in);
        }
    }

    private byte[] digest(InputStream in) throws IOException {
        MessageDigest digest = program.newDigest();
        byte[] buffer = new byte[64 * 1024];
        for (int n; (n = in.read(buffer)) > 0; ) {
            digest.update(buffer, 0, n);
        }
        return digest.digest();
    }

    /** GNU's line: a name with a backslash or newline is escaped, and the line starts with a backslash. */
    static String line(String hex, String name) {
        if (name.indexOf('\\') < 0 && name.indexOf('\n') < 0 && name.indexOf('\r') < 0) {
            return hex + "  " + name;
        }
        String escaped = name.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r");
        return "\\" + hex + "  " + escaped;
    }

    private static String reason(Exception e) {
        if (e instanceof NoSuchFileException) {
            return "No such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "Permission denied";
        }
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }
}
