package dev.ferry.client.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.ferry.client.connect.ConnectOptions;
import picocli.CommandLine.Option;

/** How to reach a host: the options {@code ferry cp} and {@code ferry sync} share with ssh and scp. */
final class ConnectionOptions {

    @Option(names = "-P", paramLabel = "port", description = "Port to connect to on the remote host.")
    Integer port;

    @Option(names = "-i", paramLabel = "identity_file", description = "Private key file (repeatable).")
    List<Path> identities = new ArrayList<>();

    @Option(names = "-o", paramLabel = "ssh_option", description = "An ssh option as Key=Value (repeatable).")
    List<String> sshOptions = new ArrayList<>();

    @Option(names = "-F", paramLabel = "ssh_config", description = "Alternative ssh configuration file.")
    Path configFile;

    @Option(names = "-J", paramLabel = "destination", description = "Connect through jump host(s), comma separated.")
    String jump;

    @Option(names = "-C", description = "Compress (zlib@openssh.com).")
    boolean compression;

    @Option(names = "-c", paramLabel = "cipher", description = "Cipher(s) to use, comma separated.")
    String ciphers;

    @Option(names = "-B", description = "Batch mode: never ask for passwords or passphrases.")
    boolean batch;

    @Option(names = "-4", description = "IPv4 addresses only.")
    boolean ipv4;

    @Option(names = "-6", description = "IPv6 addresses only.")
    boolean ipv6;

    @Option(names = "--host-key", paramLabel = "SHA256:...",
            description = "Accept exactly the server key with this fingerprint (repeatable).")
    List<String> hostKeys = new ArrayList<>();

    @Option(names = "--password-file", paramLabel = "FILE",
            description = "Read the password from FILE (or set FERRY_PASSWORD); never from the command line.")
    Path passwordFile;

    ConnectOptions connectOptions() {
        ConnectOptions.Builder b = ConnectOptions.builder();
        if (port != null) {
            b.port(port);
        }
        identities.forEach(b::identity);
        sshOptions.forEach(b::option);
        if (configFile != null) {
            b.configFile(configFile);
        }
        if (jump != null) {
            b.jump(jump);
        }
        if (ciphers != null) {
            b.ciphers(ciphers);
        }
        if (passwordFile != null) {
            b.passwordFile(passwordFile);
        }
        hostKeys.forEach(b::hostKey);
        return b.compression(compression).batch(batch).ipv4Only(ipv4).ipv6Only(ipv6).build();
    }
}
