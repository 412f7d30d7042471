package dev.ferry.client.kex;

import java.security.SecureRandom;
import java.util.concurrent.CompletableFuture;

import org.apache.sshd.common.digest.BuiltinDigests;
import org.apache.sshd.common.digest.Digest;
import org.apache.sshd.common.kex.AbstractDH;
import org.apache.sshd.common.kex.BuiltinDHFactories;
import org.apache.sshd.common.kex.BuiltinKEM;
import org.apache.sshd.common.kex.DHFactory;
import org.apache.sshd.common.kex.KeyEncapsulationMethod;
import org.apache.sshd.common.kex.MontgomeryCurve;
import org.apache.sshd.common.kex.XDH;

/**
 * sntrup761x25519 (OpenSSH 9.0-9.8's default key exchange) on Ferry's own {@link Sntrup761}, with
 * its key pair made ahead.
 *
 * <p>Why ahead: key generation is the client's one costly step of this exchange (some 60 ms of a
 * fresh JVM; it was 0.2-0.5 s with BouncyCastle's), and MINA starts it only after the server's
 * KEXINIT, on the connection's critical path. Made on a background thread from the moment the client is set
 * up, it runs beside the JVM's and MINA's start, the TCP connect and the version exchange, on the
 * second core. Each pair is ephemeral as before: made fresh for one key exchange, used once, never
 * kept; only its time of making moves. A second key exchange on the connection (a re-key) makes its
 * pair inline, as MINA does.
 */
public final class Sntrup761Ahead implements KeyEncapsulationMethod {

    private final SecureRandom random = new SecureRandom();
    private CompletableFuture<Sntrup761.KeyPair> next;

    /** Whether {@code dh} is one of the two names of sntrup761x25519. */
    public static boolean uses(BuiltinDHFactories dh) {
        return dh == BuiltinDHFactories.sntrup761x25519 || dh == BuiltinDHFactories.sntrup761x25519_openssh;
    }

    /** Starts making the key pair of the next key exchange on a daemon thread; once is enough. */
    public synchronized void start() {
        if (next == null) {
            next = new CompletableFuture<>();
            CompletableFuture<Sntrup761.KeyPair> pending = next;
            Thread maker = new Thread(() -> {
                try {
                    pending.complete(generate());
                } catch (RuntimeException | Error e) {
                    pending.completeExceptionally(e);
                }
            }, "ferry-sntrup761-keygen");
            maker.setDaemon(true);
            maker.start();
        }
    }

    /** The pair made ahead (waiting for it if need be), or a new one when none was started. */
    Sntrup761.KeyPair take() {
        CompletableFuture<Sntrup761.KeyPair> pending;
        synchronized (this) {
            pending = next;
            next = null;
        }
        return pending != null ? pending.join() : generate();
    }

    private Sntrup761.KeyPair generate() {
        return Sntrup761.generate(random);
    }

    /** {@code dh} itself, or for sntrup761x25519 the same exchange under the same name using this KEM. */
    public DHFactory replace(BuiltinDHFactories dh) {
        if (!uses(dh)) {
            return dh;
        }
        Sntrup761Ahead kem = this;
        return new DHFactory() {
            @Override
            public String getName() {
                return dh.getName();
            }

            @Override
            public boolean isSupported() {
                return dh.isSupported();
            }

            @Override
            public boolean isGroupExchange() {
                return false;
            }

            @Override
            public AbstractDH create(Object... params) throws Exception {
                if (params != null && params.length > 0) {
                    throw new IllegalArgumentException("No accepted parameters for " + getName());
                }
                // As MINA's own sntrup761x25519: X25519 with raw keys, the KEM's and the curve's
                // shares concatenated, the hash SHA-512.
                return new XDH(MontgomeryCurve.x25519, true) {
                    @Override
                    public KeyEncapsulationMethod getKeyEncapsulation() {
                        return kem;
                    }

                    @Override
                    public Digest getHash() throws Exception {
                        return BuiltinDigests.sha512.create();
                    }
                };
            }

            @Override
            public String toString() {
                return getName() + " (key pair made ahead)";
            }
        };
    }

    @Override
    public Client getClient() {
        return new Client() {
            private Sntrup761.KeyPair pair;

            @Override
            public void init() {
                pair = take();
            }

            @Override
            public byte[] getPublicKey() {
                return pair.publicKey();
            }

            @Override
            public byte[] extractSecret(byte[] encapsulated) {
                return pair.decapsulate(encapsulated);
            }

            @Override
            public int getEncapsulationLength() {
                return Sntrup761.CIPHERTEXT_BYTES;
            }
        };
    }

    /** The server's side is MINA's own; Ferry's client never plays it. */
    @Override
    public Server getServer() {
        return BuiltinKEM.sntrup761.getServer();
    }
}
