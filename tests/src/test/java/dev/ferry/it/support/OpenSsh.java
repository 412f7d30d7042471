package dev.ferry.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * OpenSSH's {@code sftp}, {@code scp} and {@code ssh} pointed at a {@link FerrydFixture}: no user
 * config, the fixture's known_hosts with strict checking, and either the fixture's key or a
 * password given through {@code SSH_ASKPASS}.
 */
public final class OpenSsh {

    private static final int TIMEOUT = 60;

    private final FerrydFixture ferryd;

    public OpenSsh(FerrydFixture ferryd) {
        this.ferryd = ferryd;
    }

    /** {@code user@127.0.0.1:path} */
    public String remote(String user, String path) {
        return user + "@127.0.0.1:" + path;
    }

    private List<String> common() {
        return new ArrayList<>(List.of("-F", "/dev/null",
                "-o", "UserKnownHostsFile=" + ferryd.knownHosts(),
                "-o", "GlobalKnownHostsFile=/dev/null",
                "-o", "StrictHostKeyChecking=yes",
                "-o", "ConnectTimeout=20"));
    }

    private List<String> withKey() {
        List<String> args = common();
        args.addAll(List.of("-i", ferryd.key().toString(), "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
                "-o", "PreferredAuthentications=publickey"));
        return args;
    }

    /** Runs {@code sftp -b} with the given commands as {@code user}, logging in with the key. */
    public Proc.Result sftp(String user, Path cwd, String... commands) {
        return sftpWith(withKey(), user, cwd, commands);
    }

    /** Runs {@code sftp -b} with extra options (such as {@code -vvv}) before the destination. */
    public Proc.Result sftpWithOptions(List<String> options, String user, Path cwd, String... commands) {
        List<String> args = withKey();
        args.addAll(options);
        return sftpWith(args, user, cwd, commands);
    }

    /**
     * Runs {@code sftp} logging in with a password (through SSH_ASKPASS). {@code -b} would force
     * BatchMode, which forbids passwords, so the commands go to standard input instead: sftp then
     * carries on after a failed command, and callers check the files rather than the exit code.
     */
    public Proc.Result sftpPassword(String user, String password, Path cwd, String... commands) {
        List<String> cmd = new ArrayList<>(List.of(Peers.require("sftp"), "-P", String.valueOf(ferryd.port())));
        cmd.addAll(withPassword());
        cmd.add(user + "@127.0.0.1");
        byte[] input = (String.join("\n", commands) + "\n").getBytes(StandardCharsets.UTF_8);
        return Proc.run(cmd, cwd, askpass(password, cwd), input, TIMEOUT);
    }

    private Proc.Result sftpWith(List<String> auth, String user, Path cwd, String... commands) {
        Path batch = cwd.resolve(".sftp-batch");
        try {
            Files.writeString(batch, String.join("\n", commands) + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> cmd = new ArrayList<>(List.of(Peers.require("sftp"), "-b", batch.toString(),
                "-P", String.valueOf(ferryd.port())));
        cmd.addAll(auth);
        cmd.add(user + "@127.0.0.1");
        return Proc.run(cmd, cwd, TIMEOUT);
    }

    /** Runs {@code scp} with the key; {@code args} are scp's own flags and operands. */
    public Proc.Result scp(Path cwd, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Peers.require("scp"), "-P", String.valueOf(ferryd.port())));
        cmd.addAll(withKey());
        cmd.addAll(Arrays.asList(args));
        return Proc.run(cmd, cwd, TIMEOUT);
    }

    /** Runs {@code ssh user@host command...} with the key. */
    public Proc.Result ssh(String user, String... command) {
        List<String> cmd = new ArrayList<>(List.of(Peers.require("ssh"), "-p", String.valueOf(ferryd.port())));
        cmd.addAll(withKey());
        cmd.add(user + "@127.0.0.1");
        cmd.addAll(Arrays.asList(command));
        return Proc.run(cmd, null, TIMEOUT);
    }

    /** Runs {@code ssh} with extra options before the destination (for algorithm tests). */
    public Proc.Result sshWithOptions(List<String> options, String user, String... command) {
        List<String> cmd = new ArrayList<>(List.of(Peers.require("ssh"), "-p", String.valueOf(ferryd.port())));
        cmd.addAll(withKey());
        cmd.addAll(options);
        cmd.add(user + "@127.0.0.1");
        cmd.addAll(Arrays.asList(command));
        return Proc.run(cmd, null, TIMEOUT);
    }

    private List<String> withPassword() {
        List<String> args = common();
        args.addAll(List.of("-o", "PubkeyAuthentication=no", "-o", "PreferredAuthentications=password",
                "-o", "NumberOfPasswordPrompts=1"));
        return args;
    }

    /**
     * The environment that makes OpenSSH take {@code password} from an SSH_ASKPASS program (written
     * into {@code dir}), even without a terminal.
     */
    public static Map<String, String> askpass(String password, Path dir) {
        Path script = dir.resolve(".askpass");
        try {
            Files.writeString(script, "#!/bin/sh\ncat <<'EOF'\n" + password + "\nEOF\n");
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of("SSH_ASKPASS", script.toString(), "SSH_ASKPASS_REQUIRE", "force", "DISPLAY", ":0");
    }
}
