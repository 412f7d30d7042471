package dev.ferry.security;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.OptionalFeature;
import org.apache.sshd.common.cipher.BuiltinCiphers;
import org.apache.sshd.common.compression.BuiltinCompressions;
import org.apache.sshd.common.helpers.AbstractFactoryManager;
import org.apache.sshd.common.kex.BuiltinDHFactories;
import org.apache.sshd.common.kex.KeyExchangeFactory;
import org.apache.sshd.common.mac.BuiltinMacs;
import org.apache.sshd.common.signature.BuiltinSignatures;

/**
 * The algorithms Ferry negotiates, in order of preference, on both the server and the client.
 *
 * <p>Only algorithms without known weaknesses are listed: no SHA-1 (in key exchange, MACs or
 * signatures), no NIST-curve key exchange, no CBC ciphers. Two {@link Profile}s differ in the MACs:
 * {@code strict} has encrypt-then-MAC only, {@code modern} (the default) adds the encrypt-and-MAC
 * SHA-2 MACs last, as OpenSSH's own sshd still offers them. Strict key exchange (the Terrapin
 * countermeasure, {@code kex-strict-*-v00@openssh.com}) is negotiated by MINA itself whenever the
 * peer offers it.
 */
public final class AlgorithmPolicy {

    /** Post-quantum hybrids first (as OpenSSH 9.9+ prefers), then plain curve25519. */
    public static final List<BuiltinDHFactories> KEY_EXCHANGES = List.of(
            BuiltinDHFactories.mlkem768x25519,
            BuiltinDHFactories.sntrup761x25519_openssh,
            BuiltinDHFactories.sntrup761x25519,
            BuiltinDHFactories.curve25519,
            BuiltinDHFactories.curve25519_libssh);

    /**
     * AES-GCM first: the JDK's AES-GCM uses the CPU's AES instructions (6.3 GB/s measured), while
     * its ChaCha20-Poly1305 is pure Java (0.44 GB/s).
     */
    public static final List<BuiltinCiphers> CIPHERS = List.of(
            BuiltinCiphers.aes128gcm,
            BuiltinCiphers.aes256gcm,
            BuiltinCiphers.cc20p1305_openssh,
            BuiltinCiphers.aes128ctr,
            BuiltinCiphers.aes192ctr,
            BuiltinCiphers.aes256ctr);

    /** Only used with the CTR ciphers; the AEAD ciphers carry their own authentication. */
    public static final List<BuiltinMacs> STRICT_MACS = List.of(
            BuiltinMacs.hmacsha256etm,
            BuiltinMacs.hmacsha512etm);

    /**
     * The strict MACs, then hmac-sha2-256 and hmac-sha2-512 (encrypt-and-MAC, RFC 6668): not broken,
     * still in OpenSSH's defaults, and all that libssh2 1.10 (curl on Debian 12 and Ubuntu 22.04),
     * older paramiko and JSch can use besides AEAD ciphers they lack. Negotiation picks the first of
     * the client's list the server has, so a client that knows encrypt-then-MAC still gets it.
     */
    public static final List<BuiltinMacs> MACS = List.of(
            BuiltinMacs.hmacsha256etm,
            BuiltinMacs.hmacsha512etm,
            BuiltinMacs.hmacsha256,
            BuiltinMacs.hmacsha512);

    /** Which MACs a side offers. */
    public enum Profile {
        /** The default: {@link #MACS}, which admits the clients of libssh2 1.10 (curl). */
        MODERN,
        /** {@link #STRICT_MACS} only: what ssh-audit passes without a warning. */
        STRICT;

        public List<BuiltinMacs> macs() {
            return this == MODERN ? MACS : STRICT_MACS;
        }

        /** {@code modern} or {@code strict}, as flags spell it. */
        public static Profile parse(String name) {
            return switch (name.strip().toLowerCase(Locale.ROOT)) {
                case "modern" -> MODERN;
                case "strict" -> STRICT;
                default -> throw new IllegalArgumentException("unknown algorithm profile " + name.strip()
                        + ": use modern or strict");
            };
        }
    }

    /**
     * The lists one side offers, each in preference order.
     *
     * @param keyExchanges key exchanges (KexAlgorithms)
     * @param ciphers      ciphers (Ciphers)
     * @param macs         MACs (MACs)
     * @param signatures   host key and user key signatures (HostKeyAlgorithms)
     */
    public record Algorithms(List<BuiltinDHFactories> keyExchanges, List<BuiltinCiphers> ciphers,
            List<BuiltinMacs> macs, List<BuiltinSignatures> signatures) {

        public Algorithms {
            keyExchanges = List.copyOf(keyExchanges);
            ciphers = List.copyOf(ciphers);
            macs = List.copyOf(macs);
            signatures = List.copyOf(signatures);
        }

        /** A profile's lists, of what this JVM supports. */
        public static Algorithms of(Profile profile) {
            return new Algorithms(supported(KEY_EXCHANGES), supported(CIPHERS), supported(profile.macs()),
                    supported(SIGNATURES));
        }

        /**
         * These lists changed by options spelled as OpenSSH spells them ({@code Ciphers=+aes256-ctr}),
         * each given only when set; names outside Ferry's policy are refused.
         *
         * @throws IllegalArgumentException naming the option and the name refused
         */
        public Algorithms with(String offerer, String kexAlgorithms, String ciphersSpec, String macsSpec,
                String hostKeyAlgorithms) {
            return new Algorithms(
                    kexAlgorithms == null ? keyExchanges
                            : AlgorithmList.parse("KexAlgorithms", offerer, kexAlgorithms, keyExchanges, supported(KEY_EXCHANGES)),
                    ciphersSpec == null ? ciphers
                            : AlgorithmList.parse("Ciphers", offerer, ciphersSpec, ciphers, supported(CIPHERS)),
                    macsSpec == null ? macs : AlgorithmList.parse("MACs", offerer, macsSpec, macs, supported(MACS)),
                    hostKeyAlgorithms == null ? signatures
                            : AlgorithmList.parse("HostKeyAlgorithms", offerer, hostKeyAlgorithms, signatures,
                                    supported(SIGNATURES)));
        }
    }

    /**
     * Signatures accepted for user keys and host keys. ECDSA signatures on NIST curves stay
     * acceptable for user keys (only NIST key exchange is excluded); {@code ssh-rsa} (SHA-1) is not.
     */
    public static final List<BuiltinSignatures> SIGNATURES = List.of(
            BuiltinSignatures.ed25519,
            BuiltinSignatures.sk_ssh_ed25519,
            BuiltinSignatures.nistp256,
            BuiltinSignatures.nistp384,
            BuiltinSignatures.nistp521,
            BuiltinSignatures.sk_ecdsa_sha2_nistp256,
            BuiltinSignatures.rsaSHA512,
            BuiltinSignatures.rsaSHA256);

    /** {@code zlib@openssh.com} starts after authentication, so it adds no pre-auth attack surface. */
    public static final List<BuiltinCompressions> COMPRESSIONS = List.of(
            BuiltinCompressions.none,
            BuiltinCompressions.delayedZlib);

    private AlgorithmPolicy() {
    }

    /**
     * Sets Ferry's algorithm lists on a MINA server or client. Algorithms this JVM cannot provide
     * (for example the post-quantum ones without BouncyCastle) are left out.
     *
     * @param keyExchangeFactory turns a key exchange into the server's or client's factory, e.g.
     *                           {@code ServerBuilder.DH2KEX}
     */
    public static void applyTo(AbstractFactoryManager manager,
            Function<? super BuiltinDHFactories, ? extends KeyExchangeFactory> keyExchangeFactory) {
        applyTo(manager, keyExchangeFactory, Algorithms.of(Profile.MODERN));
    }

    /** Sets {@code algorithms} on a MINA server or client. */
    public static void applyTo(AbstractFactoryManager manager,
            Function<? super BuiltinDHFactories, ? extends KeyExchangeFactory> keyExchangeFactory, Algorithms algorithms) {
        List<KeyExchangeFactory> kex = new ArrayList<>();
        for (BuiltinDHFactories dh : algorithms.keyExchanges()) {
            kex.add(keyExchangeFactory.apply(dh));
        }
        manager.setKeyExchangeFactories(kex);
        manager.setCipherFactories(factories(algorithms.ciphers()));
        manager.setMacFactories(factories(algorithms.macs()));
        manager.setSignatureFactories(factories(algorithms.signatures()));
        manager.setCompressionFactories(factories(COMPRESSIONS));
    }

    /** The names of the key exchanges this JVM supports, in preference order. */
    public static List<String> keyExchangeNames() {
        return NamedResource.getNameList(supported(KEY_EXCHANGES));
    }

    private static <T, F extends NamedFactory<T> & OptionalFeature> List<NamedFactory<T>> factories(List<F> all) {
        return new ArrayList<>(supported(all));
    }

    private static <T extends OptionalFeature> List<T> supported(List<T> all) {
        List<T> result = new ArrayList<>();
        for (T t : all) {
            if (t.isSupported()) {
                result.add(t);
            }
        }
        return result;
    }
}
