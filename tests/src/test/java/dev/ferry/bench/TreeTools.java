package dev.ferry.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.ferry.bench.TransferBenchmark.Endpoint;

/**
 * The tree copiers the tree benchmark compares, each as the command lines that copy a local tree
 * to a new remote directory and a remote tree to a new local one: the target ends up holding the
 * source's contents (the spelling differs by tool: scp and sftp name the new directory, rsync and
 * ferry sync take the source with a trailing slash, lftp mirrors into a directory).
 */
final class TreeTools {

    static final String CIPHER = "aes128-gcm@openssh.com";

    private TreeTools() {
    }

    /**
     * A server as the tools reach it through one link.
     *
     * @param side   where the server's files are on this machine (both servers run here)
     * @param rooted ferryd serves {@code side} as its root (remote paths are relative to it); sshd
     *               serves the whole file system (remote paths are absolute)
     */
    record Server(String name, long pid, Endpoint endpoint, Path side, boolean rooted) {

        /** A path under the server's side, as a remote operand names it. */
        String remote(String name) {
            return rooted ? name : side.resolve(name).toString();
        }

        /** The same path as this machine sees it. */
        Path local(String name) {
            return side.resolve(name);
        }

        boolean isSshd() {
            return !rooted;
        }

        String login() {
            return endpoint.user() + "@127.0.0.1";
        }

        String at(String remotePath) {
            return login() + ":" + remotePath;
        }

        String port() {
            return String.valueOf(endpoint.port());
        }
    }

    /** The command that copies {@code from} to the new {@code to}; which of them is remote depends on the direction. */
    @FunctionalInterface
    interface Command {
        List<String> of(Server server, Path local, String remote);
    }

    /**
     * @param sync       a syncing tool (rsync, ferry sync): its rows are also measured on an unchanged
     *                   tree and on one with one file changed, against rsync
     * @param stepwise   copies one file at a time, each file several round trips (OpenSSH's scp and
     *                   sftp): minutes on a tree at high RTT, so timed on part of it there
     * @param needsShell runs a program on the server (rsync): sshd only
     */
    record Tool(String name, boolean sync, boolean stepwise, boolean needsShell, Command up, Command down) {

        boolean isFerry() {
            return name.startsWith("ferry");
        }

        /** Runs over a connection kept by a control master ({@link TreeTools#reused}). */
        boolean reused() {
            return name.endsWith(REUSED);
        }

        boolean servesOn(Server server) {
            return !needsShell || server.isSshd();
        }
    }

    /** What a tool's name ends with when its runs share one connection (ControlMaster). */
    static final String REUSED = ", reused connection";

    /**
     * {@code tool} over a connection a control master keeps: ControlMaster=auto with a ControlPath
     * in {@code controlDir} and ControlPersist, as a script that makes many copies to one host
     * would run OpenSSH's tools and ferry alike (ferry takes the same options). For rsync the
     * options go to the ssh it runs; for the others before the two operands.
     */
    static Tool reused(Tool tool, Path controlDir) {
        String prefix = tool.isFerry() ? "ferry-" : "openssh-";
        List<String> mux = List.of("-o", "ControlMaster=auto", "-o", "ControlPath=" + controlDir.resolve(prefix + "%C"),
                "-o", "ControlPersist=120");
        return new Tool(tool.name() + REUSED, tool.sync(), tool.stepwise(), tool.needsShell(),
                (s, local, remote) -> withMux(tool.up().of(s, local, remote), mux),
                (s, local, remote) -> withMux(tool.down().of(s, local, remote), mux));
    }

    /**
     * The commands that end the masters {@link #reused} tools started in {@code controlDir} for
     * {@code s} (ssh -O exit, ferry -O exit): a master left running holds its connection open, and
     * the servers' shutdown at the end of the run waited for it.
     */
    static List<List<String>> stopMasters(Path repo, Path controlDir, Server s) {
        return List.of(
                TransferBenchmark.concat(List.of("ssh", "-O", "exit", "-p", s.port(), "-o", "ControlPath="
                        + controlDir.resolve("openssh-%C")), TransferBenchmark.ssh(s.endpoint()), s.login()),
                List.of(repo.resolve("ferry").toString(), "-O", "exit", "-P", s.port(), "-F", "/dev/null", "-o",
                        "ControlPath=" + controlDir.resolve("ferry-%C"), s.login()));
    }

    private static List<String> withMux(List<String> command, List<String> mux) {
        List<String> all = new ArrayList<>(command);
        int e = all.indexOf("-e");
        if (e >= 0) { // rsync: its ssh command is one string
            all.set(e + 1, all.get(e + 1) + " " + String.join(" ", mux));
        } else {
            all.addAll(all.size() - 2, mux);
        }
        return all;
    }

    /** The tools in the order of the report: the stock ones first, scp -r (the anchor of copies) at the top. */
    static List<Tool> all(Path repo, Path batches) {
        return List.of(scp(), sftp(batches), rsync(), lftp(), ferryCp(repo), ferrySync(repo));
    }

    static Tool scp() {
        return new Tool("scp -r", false, true, false,
                (s, local, remote) -> with(openSsh("scp", "-r", "-q", "-c", CIPHER, "-P", s.port()), s,
                        local.toString(), s.at(remote)),
                (s, local, remote) -> with(openSsh("scp", "-r", "-q", "-c", CIPHER, "-P", s.port()), s,
                        s.at(remote), local.toString()));
    }

    /** sftp -r: a batch of one put -R or get -R (sftp keeps 64 requests of one file in flight, one file at a time). */
    static Tool sftp(Path batches) {
        return new Tool("sftp -r", false, true, false,
                (s, local, remote) -> sftpBatch(s, batches, "put -R " + local + " " + remote),
                (s, local, remote) -> sftpBatch(s, batches, "get -R " + remote + " " + local));
    }

    private static List<String> sftpBatch(Server s, Path batches, String line) {
        Path batch = batches.resolve("sftp-" + Integer.toHexString(line.hashCode()));
        try {
            Files.createDirectories(batches);
            Files.writeString(batch, line + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return with(openSsh("sftp", "-q", "-b", batch.toString(), "-o", "Ciphers=" + CIPHER, "-P", s.port()), s,
                s.login());
    }

    static Tool rsync() {
        return new Tool("rsync -a", true, false, true,
                (s, local, remote) -> List.of("rsync", "-a", "-e", sshCommand(s), local + "/", s.at(remote) + "/"),
                (s, local, remote) -> List.of("rsync", "-a", "-e", sshCommand(s), s.at(remote) + "/", local + "/"));
    }

    /**
     * lftp's mirror with 8 files at a time (each over a connection of its own), over sftp://
     * through OpenSSH's ssh; {@code -R} mirrors up. An empty password after the user keeps lftp
     * from asking for one; the key does the login.
     */
    static Tool lftp() {
        return new Tool("lftp mirror -P 8", false, false, false,
                (s, local, remote) -> List.of("lftp", "-c", lftpScript(s, "mirror -R -P 8 " + local + " " + remote)),
                (s, local, remote) -> List.of("lftp", "-c", lftpScript(s, "mirror -P 8 " + remote + " " + local)));
    }

    private static String lftpScript(Server s, String mirror) {
        // lftp adds the port and the user to the program itself (-p, -l), and -s sftp
        String ssh = String.join(" ", TransferBenchmark.concat(List.of("ssh", "-a", "-x", "-c", CIPHER),
                TransferBenchmark.ssh(s.endpoint())));
        return "set sftp:connect-program '" + ssh + "'; "
                + "set net:max-retries 1; set cmd:fail-exit yes; "
                + "open -u " + s.endpoint().user() + ", sftp://127.0.0.1:" + s.port() + "; " + mirror;
    }

    static Tool ferryCp(Path repo) {
        List<String> cp = List.of(repo.resolve("ferry").toString(), "cp", "-r", "-B", "-q", "-c", CIPHER);
        return new Tool("ferry cp -r", false, false, false,
                (s, local, remote) -> with(ferry(cp, s), s, local.toString(), s.at(remote)),
                (s, local, remote) -> with(ferry(cp, s), s, s.at(remote), local.toString()));
    }

    /** ferry cp of one file: the yardstick a tree of the same size is held against. */
    static Tool ferryCpFile(Path repo) {
        List<String> cp = List.of(repo.resolve("ferry").toString(), "cp", "-B", "-q", "-c", CIPHER);
        return new Tool("ferry cp", false, false, false,
                (s, local, remote) -> with(ferry(cp, s), s, local.toString(), s.at(remote)),
                (s, local, remote) -> with(ferry(cp, s), s, s.at(remote), local.toString()));
    }

    static Tool ferrySync(Path repo) {
        List<String> sync = List.of(repo.resolve("ferry").toString(), "sync", "-r", "-B", "-q", "-c", CIPHER);
        return new Tool("ferry sync -r", true, false, false,
                (s, local, remote) -> with(ferry(sync, s), s, local + "/", s.at(remote)),
                (s, local, remote) -> with(ferry(sync, s), s, s.at(remote) + "/", local.toString()));
    }

    private static List<String> openSsh(String... command) {
        return List.of(command);
    }

    private static List<String> ferry(List<String> command, Server s) {
        List<String> all = new ArrayList<>(command);
        all.addAll(List.of("-P", s.port()));
        return all;
    }

    /** The command, the server's OpenSSH options (ferry takes the same ones), then the operands. */
    private static List<String> with(List<String> command, Server s, String... operands) {
        return TransferBenchmark.concat(command, TransferBenchmark.ssh(s.endpoint()), operands);
    }

    /** ssh as rsync and lftp run it: one string, split on spaces (no path here has one). */
    private static String sshCommand(Server s) {
        return String.join(" ", TransferBenchmark.concat(List.of("ssh", "-c", CIPHER, "-p", s.port()),
                TransferBenchmark.ssh(s.endpoint())));
    }
}
