package dev.ferry.bench;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Connections that never authenticate, each held open until the server closes it and then opened
 * again, until {@link #stop()}: a third send nothing, a third send an identification line and stall,
 * a third also send their key exchange init and their curve25519 public key (so the server computes
 * the shared secret and signs the exchange hash) and stall before NEWKEYS. A connection the server
 * closes before its greeting was refused; the flood waits {@link #REFUSED_PAUSE_MS} before the next
 * one from that slot, as a scanner backing off (without the pause, a refused slot would spin).
 */
final class Flood {

    static final int REFUSED_PAUSE_MS = 1000;

    enum Kind { SILENT, BANNER, KEX }

    /**
     * One flood connection's end.
     *
     * @param greeted  the server sent its identification line (the connection was accepted)
     * @param byServer the server closed it (false: still open when the flood stopped)
     * @param millis   connect to close (or to the stop)
     */
    record Outcome(Kind kind, boolean greeted, boolean byServer, double millis) {
    }

    private final int port;
    private final LoadPlan plan;
    private final List<Outcome> outcomes = new CopyOnWriteArrayList<>();
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final List<Thread> slots = new ArrayList<>();
    private final CountDownLatch firstAttempts;
    private volatile boolean stopping;

    Flood(int port, LoadPlan plan) {
        this.port = port;
        this.plan = plan;
        this.firstAttempts = new CountDownLatch(plan.flood());
    }

    void start() {
        for (int i = 0; i < plan.flood(); i++) {
            int slot = i;
            // small stacks: a thousand threads that only block on a socket
            Thread t = new Thread(null, () -> run(slot), "flood-" + i, 128 * 1024);
            t.setDaemon(true);
            slots.add(t);
            t.start();
        }
    }

    /** Waits until every slot has been answered once (greeted or refused), at most {@code seconds}. */
    boolean awaitFirstAttempts(int seconds) throws InterruptedException {
        return firstAttempts.await(seconds, TimeUnit.SECONDS);
    }

    /** Closes the connections still open (counted as not closed by the server) and ends the slots. */
    void stop() throws InterruptedException {
        stopping = true;
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        for (Thread t : slots) {
            t.join(10_000);
        }
    }

    List<Outcome> outcomes() {
        return List.copyOf(outcomes);
    }

    /** Connections the flood could not even make (its own failures, not the server's answer). */
    List<String> failures() {
        return List.copyOf(failures);
    }

    private void run(int slot) {
        Kind kind = Kind.values()[slot % 3];
        SplittableRandom random = new SplittableRandom(slot);
        boolean first = true;
        while (!stopping) {
            boolean refused = false;
            try (Socket s = new Socket()) {
                s.bind(new InetSocketAddress(InetAddress.getByName(plan.floodSource(slot)), 0));
                long start = System.nanoTime();
                s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
                open.add(s);
                boolean greeted = false;
                boolean byServer = true;
                try {
                    OutputStream out = s.getOutputStream();
                    if (kind != Kind.SILENT) {
                        out.write("SSH-2.0-FloodBot_1.0\r\n".getBytes(StandardCharsets.US_ASCII));
                    }
                    if (kind == Kind.KEX) {
                        out.write(packet(kexInit(random)));
                        out.write(packet(ecdhInit(random)));
                    }
                    out.flush();
                    InputStream in = s.getInputStream();
                    byte[] buf = new byte[4096];
                    int n;
                    while ((n = in.read(buf)) >= 0) {
                        if (n > 0 && !greeted) {
                            greeted = true;
                            countFirst(first);
                            first = false;
                        }
                    }
                } catch (IOException e) {
                    byServer = !stopping; // a reset by the server, or our own close at the stop
                } finally {
                    open.remove(s);
                }
                if (!greeted) {
                    countFirst(first);
                    first = false;
                    refused = byServer;
                }
                outcomes.add(new Outcome(kind, greeted, byServer, (System.nanoTime() - start) / 1e6));
            } catch (IOException e) {
                if (!stopping) {
                    failures.add(kind + " from " + plan.floodSource(slot) + ": " + e);
                    refused = true;
                }
            }
            if (refused && !stopping) {
                try {
                    Thread.sleep(REFUSED_PAUSE_MS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
        countFirst(first);
    }

    private void countFirst(boolean first) {
        if (first) {
            firstAttempts.countDown();
        }
    }

    /** SSH_MSG_KEXINIT offering curve25519-sha256 and what ferryd accepts, nothing to follow. */
    private static byte[] kexInit(SplittableRandom random) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(b);
        d.writeByte(20);
        byte[] cookie = new byte[16];
        random.nextBytes(cookie);
        d.write(cookie);
        for (String list : new String[] {"curve25519-sha256", "ssh-ed25519", "aes128-gcm@openssh.com",
                "aes128-gcm@openssh.com", "hmac-sha2-256-etm@openssh.com", "hmac-sha2-256-etm@openssh.com", "none",
                "none", "", ""}) {
            string(d, list.getBytes(StandardCharsets.US_ASCII));
        }
        d.writeBoolean(false);
        d.writeInt(0);
        return b.toByteArray();
    }

    /** SSH_MSG_KEX_ECDH_INIT with a random curve25519 public key: the server does its half of the exchange. */
    private static byte[] ecdhInit(SplittableRandom random) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(b);
        d.writeByte(30);
        byte[] q = new byte[32];
        random.nextBytes(q);
        string(d, q);
        return b.toByteArray();
    }

    private static void string(DataOutputStream d, byte[] bytes) throws IOException {
        d.writeInt(bytes.length);
        d.write(bytes);
    }

    /** An unencrypted binary packet (RFC 4253 section 6): length, padding length, payload, padding. */
    private static byte[] packet(byte[] payload) throws IOException {
        int padding = 8 - (payload.length + 5) % 8;
        if (padding < 4) {
            padding += 8;
        }
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(b);
        d.writeInt(payload.length + padding + 1);
        d.writeByte(padding);
        d.write(payload);
        d.write(new byte[padding]);
        return b.toByteArray();
    }
}
