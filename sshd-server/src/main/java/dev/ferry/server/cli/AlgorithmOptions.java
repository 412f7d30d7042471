package dev.ferry.server.cli;

import dev.ferry.security.AlgorithmPolicy;
import dev.ferry.server.config.FerrydConfig;
import picocli.CommandLine.Option;

/** ferryd's algorithm flags: a profile, then OpenSSH-style lists changing it. */
public final class AlgorithmOptions {

    @Option(names = "--algorithms", paramLabel = "modern|strict",
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

    /** The lists {@code settings} give. */
    static AlgorithmPolicy.Algorithms algorithms(FerrydConfig.AlgorithmSettings settings) {
        return AlgorithmPolicy.Algorithms.of(AlgorithmPolicy.Profile.parse(settings.profile()))
                .with("ferryd", settings.kexAlgorithms(), settings.ciphers(), settings.macs(),
                        settings.hostKeyAlgorithms());
    }

    /** {@code base} (from the config file) with what the flags set instead. */
    FerrydConfig.AlgorithmSettings over(FerrydConfig.AlgorithmSettings base) {
        return new FerrydConfig.AlgorithmSettings(profile != null ? profile : base.profile(),
                kexAlgorithms != null ? kexAlgorithms : base.kexAlgorithms(),
                ciphers != null ? ciphers : base.ciphers(), macs != null ? macs : base.macs(),
                hostKeyAlgorithms != null ? hostKeyAlgorithms : base.hostKeyAlgorithms());
    }
}
