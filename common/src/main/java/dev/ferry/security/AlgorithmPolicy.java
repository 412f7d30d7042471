package dev.ferry.security;

import java.util.ArrayList;
import java.util.List;
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
 * signatures), no NIST-curve key exchange, no CBC ciphers, and only encrypt-then-MAC MACs. Strict
 * key exchange (the Terrapin countermeasure, {@code kex-strict-*-v00@openssh.com}) is negotiated by
 * MINA itself whenever the peer offers it.
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
    public static final List<BuiltinMacs> MACS = List.of(
            BuiltinMacs.hmacsha256etm,
            BuiltinMacs.hmacsha512etm);

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
        List<KeyExchangeFactory> kex = new ArrayList<>();
        for (BuiltinDHFactories dh : supported(KEY_EXCHANGES)) {
            kex.add(keyExchangeFactory.apply(dh));
        }
        manager.setKeyExchangeFactories(kex);
        manager.setCipherFactories(factories(CIPHERS));
        manager.setMacFactories(factories(MACS));
        manager.setSignatureFactories(factories(SIGNATURES));
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
