package dev.ferry.server.cli;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.ferry.security.KeyFiles;
import dev.ferry.server.auth.Passwords;
import dev.ferry.server.auth.UserAccount;
import dev.ferry.server.config.UserEntry;
import dev.ferry.server.fs.FsPolicy;
import dev.ferry.transport.TransportProfile;
import dev.ferry.server.quota.Tally;
import dev.ferry.server.quota.Usage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ferryd user ...}: manages the users file or database so that nobody edits password hashes by hand. */
@Command(name = "user", mixinStandardHelpOptions = true,
        description = "Manage the users file (default ./ferry-data/users.yaml), or the users in PostgreSQL (--database).",
        subcommands = {UserCommand.Add.class, UserCommand.Passwd.class, UserCommand.AddKey.class,
            UserCommand.Remove.class, UserCommand.ListUsers.class, UserCommand.SetLimits.class,
            UserCommand.QuotaScan.class})
public final class UserCommand {

    /** Reads a password: from stdin when asked (for scripts), else twice from the terminal. */
    static char[] readPassword(boolean fromStdin) throws IOException {
        if (fromStdin) {
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line = in.readLine();
            if (line == null || line.isEmpty()) {
                throw new IOException("no password on standard input");
            }
            return line.toCharArray();
        }
        Console console = System.console();
        if (console == null) {
            throw new IOException("no terminal to ask for the password; use --password-stdin");
        }
        char[] first = console.readPassword("New password: ");
        char[] second = console.readPassword("Again: ");
        if (first == null || first.length == 0) {
            throw new IOException("empty password");
        }
        if (!Arrays.equals(first, second)) {
            throw new IOException("the passwords differ");
        }
        return first;
    }

    /** A change to one existing user's entry, which may read input (a password, a key file). */
    @FunctionalInterface
    interface EntryChange {
        UserEntry apply(UserEntry entry) throws IOException;
    }

    /**
     * Changes {@code name}'s entry in the users file (written back atomically) or the database,
     * after checking that ferryd would accept it.
     */
    static void update(StateOptions state, String name, EntryChange change) throws IOException {
        try (UserEntries users = UserEntries.open(state)) {
            UserEntry entry = users.get(name).orElseThrow(() -> new IOException("no user '" + name + "' in "
                    + users.where()));
            UserEntry changed = change.apply(entry);
            users.account(name, changed);
            users.replace(name, changed);
        }
    }

    static String readKey(String key) throws IOException {
        String line = key.startsWith("@") ? Files.readString(Path.of(key.substring(1))).strip() : key.strip();
        try {
            KeyFiles.parsePublicKey(line);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage());
        }
        return line;
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Add a user.")
    static final class Add implements Callable<Integer> {
        @Mixin
        StateOptions state;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--root", required = true, paramLabel = "DIR",
                description = "The user's root directory (created if missing).")
        Path root;

        @Option(names = "--key", paramLabel = "KEY|@FILE", description = "A public key line, or @ and a .pub file.")
        List<String> keys = new ArrayList<>();

        @Option(names = "--password", description = "Set a password (asked on the terminal).")
        boolean password;

        @Option(names = "--password-stdin", description = "Set a password read from standard input.")
        boolean passwordStdin;

        @Option(names = "--read-only", description = "The user may not change anything.")
        boolean readOnly;

        @Option(names = "--umask", paramLabel = "OCTAL", description = "Umask for new files (default 022).")
        String umask;

        @Option(names = "--allow-links", description = "Let the user create links (only inside the root).")
        boolean allowLinks;

        @Override
        public Integer call() throws IOException {
            if (umask != null) {
                new FsPolicy(false, FsPolicy.Modes.parseOctal(umask), false); // validates
            }
            Files.createDirectories(root);
            UserEntry entry = UserEntry.of(root.toAbsolutePath().normalize().toString())
                    .withPolicy(readOnly ? Boolean.TRUE : null, umask, allowLinks ? Boolean.TRUE : null);
            for (String key : keys) {
                entry = entry.withKey(readKey(key));
            }
            if (password || passwordStdin) {
                entry = entry.withPassword(Passwords.hash(readPassword(passwordStdin)));
            }
            if (entry.password() == null && entry.authorizedKeys().isEmpty()) {
                throw new IOException("user '" + name + "' needs --key or --password to be able to log in");
            }
            try (UserEntries users = UserEntries.open(state)) {
                users.add(name, entry);
                System.out.println("added user " + name + " to " + users.where());
            }
            return 0;
        }
    }

    @Command(name = "passwd", mixinStandardHelpOptions = true, description = "Set a user's password.")
    static final class Passwd implements Callable<Integer> {
        @Mixin
        StateOptions state;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--password-stdin", description = "Read the password from standard input.")
        boolean passwordStdin;

        @Override
        public Integer call() throws IOException {
            update(state, name, entry -> entry.withPassword(Passwords.hash(readPassword(passwordStdin))));
            System.out.println("password set for " + name);
            return 0;
        }
    }

    @Command(name = "add-key", mixinStandardHelpOptions = true, description = "Authorize a public key for a user.")
    static final class AddKey implements Callable<Integer> {
        @Mixin
        StateOptions state;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1", paramLabel = "KEY|@FILE", description = "A public key line, or @ and a .pub file.")
        String key;

        @Override
        public Integer call() throws IOException {
            update(state, name, entry -> entry.withKey(readKey(key)));
            System.out.println("key added for " + name);
            return 0;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove a user (files stay).")
    static final class Remove implements Callable<Integer> {
        @Mixin
        StateOptions state;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        public Integer call() throws IOException {
            try (UserEntries users = UserEntries.open(state)) {
                if (!users.remove(name)) {
                    throw new IOException("no user '" + name + "' in " + users.where());
                }
            }
            System.out.println("removed user " + name);
            return 0;
        }
    }

    @Command(name = "limits", mixinStandardHelpOptions = true,
            description = {"Set a user's quota, bandwidth and connections at once; 0 removes a limit.",
                "Sizes and rates take K, M and G (powers of 1024); rates are per second."})
    static final class SetLimits implements Callable<Integer> {
        @Mixin
        StateOptions state;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--quota-bytes", paramLabel = "SIZE", description = "Bytes the user's files may hold together.")
        String quotaBytes;

        @Option(names = "--quota-files", paramLabel = "N", description = "Files the user may have.")
        Long quotaFiles;

        @Option(names = "--upload-rate", paramLabel = "SIZE", description = "Bytes per second of all uploads together.")
        String uploadRate;

        @Option(names = "--download-rate", paramLabel = "SIZE",
                description = "Bytes per second of all downloads together.")
        String downloadRate;

        @Option(names = "--max-sessions", paramLabel = "N", description = "Connections logged in at once.")
        Integer maxSessions;

        @Override
        public Integer call() throws IOException {
            update(state, name, entry -> {
                UserEntry.Quota q = entry.quota() == null ? new UserEntry.Quota(null, null) : entry.quota();
                UserEntry.Bandwidth b = entry.bandwidth() == null ? new UserEntry.Bandwidth(null, null)
                        : entry.bandwidth();
                q = new UserEntry.Quota(quotaBytes != null ? size("--quota-bytes", quotaBytes) : q.bytes(),
                        quotaFiles != null ? count("--quota-files", quotaFiles) : q.files());
                b = new UserEntry.Bandwidth(uploadRate != null ? size("--upload-rate", uploadRate) : b.upload(),
                        downloadRate != null ? size("--download-rate", downloadRate) : b.download());
                Long sessionCount = maxSessions != null ? count("--max-sessions", maxSessions) : null;
                Integer sessions = maxSessions != null ? (sessionCount == null ? null : sessionCount.intValue())
                        : entry.maxSessions();
                return entry.withLimits(q.bytes() == null && q.files() == null ? null : q,
                        b.upload() == null && b.download() == null ? null : b,
                        sessions == null || sessions == 0 ? null : sessions);
            });
            System.out.println("limits set for " + name);
            return 0;
        }

        /** The size as written, or null (no limit) for 0. */
        private static String size(String flag, String text) throws IOException {
            try {
                return TransportProfile.parseSize(text) == 0 ? null : text.strip();
            } catch (IllegalArgumentException e) {
                throw new IOException(flag + " " + text + ": use a size such as 500M or 10G");
            }
        }

        private static Long count(String flag, long n) throws IOException {
            if (n < 0) {
                throw new IOException(flag + " cannot be negative");
            }
            return n == 0 ? null : n;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the users.")
    static final class ListUsers implements Callable<Integer> {
        @Mixin
        StateOptions state;

        @Override
        public Integer call() throws IOException {
            Map<String, UserEntry> all;
            try (UserEntries users = UserEntries.open(state)) {
                all = users.all();
            }
            for (Map.Entry<String, UserEntry> e : all.entrySet()) {
                UserEntry u = e.getValue();
                System.out.println(e.getKey() + "  root=" + u.root() + "  keys=" + u.authorizedKeys().size()
                        + "  password=" + (u.password() != null ? "yes" : "no")
                        + (Boolean.TRUE.equals(u.readOnly()) ? "  read-only" : "")
                        + (u.quota() == null ? "" : "  quota=" + orNone(u.quota().bytes()) + "," + orNone(u.quota().files())
                                + " files")
                        + (u.bandwidth() == null ? "" : "  rate=up " + orNone(u.bandwidth().upload()) + "/s, down "
                                + orNone(u.bandwidth().download()) + "/s")
                        + (u.maxSessions() == null ? "" : "  sessions=" + u.maxSessions()));
            }
            return 0;
        }

        private static String orNone(Object value) {
            return value == null ? "none" : value.toString();
        }
    }

    @Command(name = "quota-scan", mixinStandardHelpOptions = true,
            description = {"Walk a user's root and print what it holds against their quota.",
                "A running ferryd counts from its own walk at start; it walks again on SIGHUP."})
    static final class QuotaScan implements Callable<Integer> {
        @Mixin
        StateOptions state;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        public Integer call() throws IOException {
            UserAccount account;
            try (UserEntries users = UserEntries.open(state)) {
                UserEntry entry = users.get(name).orElseThrow(() -> new IOException("no user '" + name + "' in "
                        + users.where()));
                account = users.account(name, entry);
            }
            System.out.println(Usage.describe(name, Tally.of(account.root()), account.limits()));
            return 0;
        }
    }
}
