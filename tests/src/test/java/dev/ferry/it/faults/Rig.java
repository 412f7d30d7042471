package dev.ferry.it.faults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

import org.apache.sshd.common.config.keys.KeyUtils;

import dev.ferry.it.support.FerryCli;
import dev.ferry.it.support.FerrydProcess;
import dev.ferry.it.support.Peers;
import dev.ferry.security.KeyFiles;

/**
 * One ferryd as its own process, serving {@code root} to the user {@code tester} with a state
 * directory of its own (its host key and its journal of uploads in flight), and the command lines
 * of the clients that upload to it.
 */
final class Rig {

    static final String USER = "tester";

    /** The clients that upload: each through a different path into ferryd. */
    enum Client {
        /** OpenSSH's sftp {@code put}: CREAT|TRUNC, written by ferryd into its own temporary file. */
        OPENSSH_SFTP,
        /** OpenSSH's scp, which speaks SFTP (OpenSSH 9). */
        OPENSSH_SCP,
        /** OpenSSH's scp -O: the SCP protocol, ferryd's {@code .ferry-upload-*.part}. */
        OPENSSH_SCP_LEGACY,
        /** ferry cp over SFTP: the client's own {@code .NAME.ferry-part}, renamed by the client. */
        FERRY_CP,
        /** ferry sync: the delta subsystem's {@code .NAME.ferry-delta-*}. */
        FERRY_SYNC
    }

    final Path dir;
    final Path stateDir;
    final Path root;
    final Path key;
    private final Path knownHosts;
    private final String hostKeyLine;

    Rig(Path dir, Path root) throws Exception {
        this.dir = dir;
        this.stateDir = dir.resolve("state");
        this.root = root;
        KeyPair pair = KeyUtils.generateKeyPair("ssh-ed25519", 256);
        key = dir.resolve("id_tester");
        KeyFiles.write(pair, key, USER);
        KeyPair host = KeyUtils.generateKeyPair("ssh-ed25519", 256);
        Files.createDirectories(stateDir);
        KeyFiles.write(host, stateDir.resolve("host_ed25519_key"), "ferryd");
        hostKeyLine = KeyFiles.publicKeyLine(host.getPublic(), null);
        knownHosts = dir.resolve("known_hosts");
    }

    /** Starts ferryd on the rig's state directory (again, after a kill: the same journal). */
    FerrydProcess start() throws Exception {
        return FerrydProcess.start(dir, "--listen", "127.0.0.1:0", "--state-dir", stateDir.toString(), "--root",
                root.toString(), "--user", USER, "--authorized-keys", key + ".pub");
    }

    /** Trusts ferryd's host key on {@code ports} (the server's own and a forwarder's). */
    void trust(int... ports) throws IOException {
        StringBuilder lines = new StringBuilder();
        for (int port : ports) {
            lines.append("[127.0.0.1]:").append(port).append(' ').append(hostKeyLine).append('\n');
        }
        Files.writeString(knownHosts, lines);
    }

    /** {@code client} uploading {@code local} (in {@link #dir}) to {@code remote} in the root, to {@code port}. */
    List<String> upload(Client client, int port, String local, String remote) throws IOException {
        String target = USER + "@127.0.0.1:" + remote;
        return switch (client) {
            case OPENSSH_SFTP -> {
                Path batch = Files.writeString(dir.resolve("batch-" + remote), "put " + local + " " + remote + "\n");
                List<String> cmd = new ArrayList<>(List.of(Peers.require("sftp"), "-b", batch.toString(), "-P",
                        String.valueOf(port)));
                cmd.addAll(openSshOptions());
                cmd.add(USER + "@127.0.0.1");
                yield cmd;
            }
            case OPENSSH_SCP, OPENSSH_SCP_LEGACY -> {
                List<String> cmd = new ArrayList<>(List.of(Peers.require("scp"), "-P", String.valueOf(port)));
                if (client == Client.OPENSSH_SCP_LEGACY) {
                    cmd.add("-O");
                }
                cmd.addAll(openSshOptions());
                cmd.addAll(List.of(local, target));
                yield cmd;
            }
            case FERRY_CP -> FerryCli.command(ferry("cp", port, local, target));
            case FERRY_SYNC -> FerryCli.command(ferry("sync", port, local, target));
        };
    }

    List<String> openSshOptions() {
        return List.of("-F", "/dev/null", "-o", "UserKnownHostsFile=" + knownHosts, "-o",
                "GlobalKnownHostsFile=/dev/null", "-o", "StrictHostKeyChecking=yes", "-i", key.toString(), "-o",
                "IdentitiesOnly=yes", "-o", "BatchMode=yes");
    }

    String[] ferry(String command, int port, String... operands) {
        List<String> args = new ArrayList<>(List.of(command, "-B", "-P", String.valueOf(port), "-i", key.toString(),
                "-o", "UserKnownHostsFile=" + knownHosts, "-o", "GlobalKnownHostsFile=/dev/null", "-F", "/dev/null"));
        args.addAll(List.of(operands));
        return args.toArray(String[]::new);
    }

    /** Starts {@code command} in {@link #dir}, its output to {@code client.log} there (for a failure's message). */
    Process launch(List<String> command) throws IOException {
        return new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("client.log").toFile()).start();
    }

    /** kill -9 of {@code process} and everything it started (sftp and scp run ssh as a child). */
    static void killHard(Process process) throws InterruptedException {
        List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
        all.add(process.toHandle());
        for (ProcessHandle p : all) {
            p.destroyForcibly(); // SIGKILL
        }
        process.waitFor();
    }

    /** The files in the root other than {@code keep}: temporaries, or anything else left behind. */
    List<Path> othersThan(String keep) throws IOException {
        try (Stream<Path> files = Files.list(root)) {
            return files.filter(p -> !p.getFileName().toString().equals(keep)).toList();
        }
    }

    /** Waits until some file in the root other than {@code keep} is at least {@code bytes} long, and returns it. */
    Path awaitTemporary(String keep, long bytes, Process client) throws Exception {
        Predicate<Path> grown = p -> {
            try {
                return Files.isRegularFile(p) && Files.size(p) >= bytes;
            } catch (IOException e) {
                return false; // renamed meanwhile
            }
        };
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            for (Path p : othersThan(keep)) {
                if (grown.test(p)) {
                    return p;
                }
            }
            if (!client.isAlive()) {
                throw new AssertionError("the client ended (exit " + client.exitValue() + ") before its temporary file "
                        + "grew to " + bytes + " bytes: " + othersThan(keep) + "\n" + Files.readString(dir.resolve("client.log")));
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no temporary file grew to " + bytes + " bytes: " + othersThan(keep));
    }

    /** Waits until the root holds nothing but {@code keep} (what a server that noticed leaves), or gives up. */
    List<Path> awaitOnly(String keep, Duration patience) throws Exception {
        long deadline = System.nanoTime() + patience.toNanos();
        List<Path> others = othersThan(keep);
        while (!others.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
            others = othersThan(keep);
        }
        return others;
    }
}
