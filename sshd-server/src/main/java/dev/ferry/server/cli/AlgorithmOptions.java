package dev.ferry.server.cli;

import dev.ferry.security.AlgorithmPolicy;
import picocli.CommandLine.Option;

/** ferryd's algorithm flags: a profile, then OpenSSH-style lists changing it. */
public final class AlgorithmOptions {

    @Option(names = "--algorithms", paramLabel = "modern|strict", defaultValue = "modern",
            description = "Algorithm profile: modern (default) adds the encrypt-and-MAC hmac-sha2-256/512 last, "
                    + "for curl (libssh2 1.10), older paramiko and JSch; strict offers AEAD ciphers and "
                    + "encrypt-then-MAC only.")
    String profile;

    @Option(names = "--kex-algorithms", paramLabel = "LIST",
            description = "Key exchanges, as sshd_config's KexAlgorithms (LIST, +LIST, -LIST or ^LIST).")
    String kexAlgorithms;

    @Option(names = "--ciphers", paramLabel = "LIST", description = "Ciphers, as sshd_config's Ciphers.")
    String ciphers;

    @Option(names = "--macs", paramLabel = "LIST", description = "MACs, as sshd_config's MACs.")
    String macs;

    @Option(names = "--host-key-algorithms", paramLabel = "LIST",
            description = "Host key and user key signatures, as sshd_config's HostKeyAlgorithms.")
    String hostKeyAlgorithms;

    /**
     * The lists the flags give.
     *
     * @throws IllegalArgumentException naming the flag's option and the name it refuses
     */
    AlgorithmPolicy.Algorithms algorithms() {
        return AlgorithmPolicy.Algorithms.of(AlgorithmPolicy.Profile.parse(profile))
                .with("ferryd", kexAlgorithms, ciphers, macs, hostKeyAlgorithms);
    }
}
