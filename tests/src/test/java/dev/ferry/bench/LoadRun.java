package dev.ferry.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.sshd.client.ClientBuilder;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;

import dev.ferry.security.AlgorithmPolicy;
import dev.ferry.security.KeyFiles;

/**
 * Runs a {@link LoadPlan} against a ferryd already listening on 127.0.0.1:{@code port} as process
 * {@code pid}: the sessions are MINA SSH clients in this JVM (200 OpenSSH processes would cost this
 * two-core machine more than the server under test, and a client in this JVM times each login to the
 * nanosecond), the flood is plain sockets, and ferryd's memory and CPU are read from /proc.
 */
final class LoadRun {

    /** When the server's identification line reached a session (System.nanoTime()). */
    private static final AttributeKey<Long> GREETED_AT = new AttributeKey<>();
    private static final int CHUNK = 64 * 1024;
    private static final int TIMEOUT_SECONDS = 120;

    /** One login: its round, whether the flood was up, connect to the server's greeting, connect to authenticated. */
    record Login(int round, boolean underFlood, double greetingMs, double loginMs) {
    }

    /** What was going on when the probe logged in. */
    enum Phase { IDLE, SESSIONS, FLOOD }

    /** One login of the probe, which logs in alone from an address of its own, one login at a time. */
    record Probe(Phase phase, double greetingMs, double loginMs, String error) {
    }

    /**
     * What a run measured.
     *
     * @param verified      files uploaded, downloaded and found identical
     * @param errors        each failure of a session, with its message
     * @param peakRssKib    ferryd's VmHWM at the end (its peak resident set)
     * @param maxThreads    the most threads ferryd had at once (sampled)
     * @param cpuSeconds    ferryd's user + system CPU during the run
     * @param driverCpuSeconds this JVM's (the sessions' and the flood's), on the same two cores
     * @param floodSeconds  how long the flood was up
     * @param lateLoginMs   a new login from a fresh address right after the run; -1 if it failed
     */
    record Result(LoadPlan plan, int sessionsOk, int verified, List<String> errors, long bytesUp, long bytesDown,
            double upSeconds, double downSeconds, double seconds, List<Login> logins, List<Probe> probes, long startRssKib,
            long peakRssKib, long maxSampledRssKib, int maxThreads, double cpuSeconds, double driverCpuSeconds,
            List<Flood.Outcome> flood,
            List<String> floodFailures, double floodSeconds, double lateLoginMs, String lateLoginError) {

        double upMBps() {
            return bytesUp / upSeconds / 1e6;
        }

        double downMBps() {
            return bytesDown / downSeconds / 1e6;
        }
    }

    private final int port;
    private final long pid;
    private final String fingerprint;
    private final KeyPair key;
    private final LoadPlan plan;

    private final List<String> errors = new CopyOnWriteArrayList<>();
    private final List<Login> logins = new CopyOnWriteArrayList<>();
    private final AtomicLong bytesUp = new AtomicLong();
    private final AtomicLong bytesDown = new AtomicLong();
    /** Nanoseconds all sessions together spent uploading, and downloading (divided by the concurrency below). */
    private final AtomicLong upNanos = new AtomicLong();
    private final AtomicLong downNanos = new AtomicLong();
    private final AtomicLong verified = new AtomicLong();
    private final List<Probe> probes = new CopyOnWriteArrayList<>();
    private volatile boolean floodUp;
    private volatile Phase phase = Phase.IDLE;
    private volatile boolean probing = true;

    LoadRun(int port, long pid, String fingerprint, KeyPair key, LoadPlan plan) {
        this.port = port;
        this.pid = pid;
        this.fingerprint = fingerprint;
        this.key = key;
        this.plan = plan;
    }

    /** Session {@code i}'s user name in a users file of {@code plan.users()} users. */
    static String user(int i, LoadPlan plan) {
        return String.format(Locale.ROOT, "load%03d", i % plan.users());
    }

    Result run() throws Exception {
        SshClient client = SshClient.setUpDefaultClient();
        // ferry's own lists (mlkem768x25519 and aes128-gcm first): MINA's default prefers sntrup761,
        // whose key generation in Java cost this client so much CPU that 200 logins at once outlasted
        // ferryd's 30 s to log in while ferryd itself idled
        AlgorithmPolicy.applyTo(client, ClientBuilder.DH2KEX);
        client.setServerKeyVerifier((session, remote, serverKey) -> KeyFiles.fingerprint(serverKey).equals(fingerprint));
        client.addSessionListener(new SessionListener() {
            @Override
            public void sessionPeerIdentificationReceived(Session session, String version, List<String> extraLines) {
                session.setAttribute(GREETED_AT, System.nanoTime());
            }
        });
        client.start();
        warmUp(client);
        for (AtomicLong counter : List.of(bytesUp, bytesDown, upNanos, downNanos)) {
            counter.set(0); // the warm-up's copies are not the run's
        }
        for (int i = 0; i < 10; i++) {
            probe(client);
        }
        Thread prober = new Thread(() -> {
            // a flag rather than an interrupt: MINA turns an interrupt during a login into an IOException
            while (probing) {
                probe(client);
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "probe");
        Sampler sampler = new Sampler(pid);
        sampler.start();
        double cpuBefore = Run.cpuOf(pid);
        long self = ProcessHandle.current().pid();
        double driverBefore = Run.cpuOf(self);
        long startRss = Run.rssKib(pid);
        Flood flood = new Flood(port, plan);
        CountDownLatch firstRound = new CountDownLatch(plan.sessions());
        CountDownLatch floodReady = new CountDownLatch(1);
        long start = System.nanoTime();
        phase = Phase.SESSIONS;
        prober.start();
        List<Thread> sessions = new ArrayList<>();
        int[] ok = new int[1];
        for (int i = 0; i < plan.sessions(); i++) {
            int index = i;
            Thread t = new Thread(() -> {
                boolean clean = session(client, index, firstRound, floodReady);
                if (clean) {
                    synchronized (ok) {
                        ok[0]++;
                    }
                }
            }, "session-" + i);
            sessions.add(t);
            t.start();
        }
        firstRound.await();
        long floodStart = System.nanoTime();
        if (plan.flood() > 0) {
            flood.start();
            if (!flood.awaitFirstAttempts(60)) {
                errors.add("the flood's first connections were not all answered within 60 s");
            }
            floodUp = true;
            phase = Phase.FLOOD;
        }
        floodReady.countDown();
        for (Thread t : sessions) {
            t.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long floodLeft = floodStart + TimeUnit.SECONDS.toNanos(plan.floodSeconds()) - System.nanoTime();
        if (plan.flood() > 0 && floodLeft > 0) {
            TimeUnit.NANOSECONDS.sleep(floodLeft); // the flood (and the probe) go on alone until then
        }
        probing = false;
        prober.join();
        flood.stop();
        double floodSeconds = plan.flood() > 0 ? (System.nanoTime() - floodStart) / 1e9 : 0;
        double cpu = Run.cpuOf(pid) - cpuBefore;
        double driverCpu = Run.cpuOf(self) - driverBefore;
        sampler.interrupt();
        sampler.join();

        // is ferryd still serving? a new login from an address that took no part
        double lateMs = -1;
        String lateError = "";
        long t0 = System.nanoTime();
        try (ClientSession s = login(client, "127.0.0.254", user(0, plan))) {
            lateMs = (System.nanoTime() - t0) / 1e6;
        } catch (IOException | RuntimeException e) {
            lateError = String.valueOf(e);
        }
        client.stop();
        double concurrency = plan.sessions();
        return new Result(plan, ok[0], (int) verified.get(), List.copyOf(errors), bytesUp.get(), bytesDown.get(),
                upNanos.get() / 1e9 / concurrency, downNanos.get() / 1e9 / concurrency, seconds, List.copyOf(logins),
                List.copyOf(probes),
                startRss, Run.peakRssKib(pid), sampler.maxRss(), sampler.maxThreads(), cpu, driverCpu, flood.outcomes(),
                flood.failures(), floodSeconds, lateMs, lateError);
    }

    /**
     * Twenty logins and copies one after another from an address of their own, not counted: the
     * first logins of a fresh JVM (ferryd's and this one) run interpreted code and would stand for
     * the JIT rather than for the load in the comparison of logins without and under the flood.
     */
    private void warmUp(SshClient client) throws Exception {
        for (int i = 0; i < 20; i++) {
            try (ClientSession s = login(client, "127.0.0.253", user(0, plan));
                    SftpClient sftp = SftpClientFactory.instance().createSftpClient(s)) {
                copy(sftp, "warm-up.bin", 256 * 1024, i);
            }
        }
    }

    /** The probe logs in from 127.0.0.252 and out again, timing its greeting and login. */
    private void probe(SshClient client) {
        Phase now = phase;
        long t0 = System.nanoTime();
        try (ClientSession s = login(client, "127.0.0.252", user(0, plan))) {
            Long greeted = s.getAttribute(GREETED_AT);
            probes.add(new Probe(now, greeted == null ? Double.NaN : (greeted - t0) / 1e6, (System.nanoTime() - t0) / 1e6,
                    ""));
        } catch (IOException | RuntimeException e) {
            probes.add(new Probe(now, Double.NaN, Double.NaN, String.valueOf(e)));
        }
    }

    /** One session's rounds; true when every round verified. Never throws: a failure is an error with its message. */
    private boolean session(SshClient client, int index, CountDownLatch firstRound, CountDownLatch floodReady) {
        boolean clean = true;
        for (int round = 1; round <= plan.rounds(); round++) {
            try {
                if (round == 2) {
                    floodReady.await(); // so round 2 starts as round 1 did: every session logging in at once
                }
                round(client, index, round);
            } catch (Exception e) {
                clean = false;
                errors.add(String.format(Locale.ROOT, "session %d (%s) round %d: %s", index, plan.source(index), round, e));
            } finally {
                if (round == 1) {
                    firstRound.countDown();
                }
            }
        }
        return clean;
    }

    private ClientSession login(SshClient client, String source, String user) throws IOException {
        ClientSession s = client.connect(user, new InetSocketAddress("127.0.0.1", port), null,
                new InetSocketAddress(source, 0)).verify(TIMEOUT_SECONDS, TimeUnit.SECONDS).getSession();
        try {
            s.addPublicKeyIdentity(key);
            s.auth().verify(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return s;
        } catch (IOException | RuntimeException e) {
            s.close(true);
            throw e;
        }
    }

    /** Connects, logs in, uploads a file of random bytes, downloads it and compares their SHA-256. */
    private void round(SshClient client, int index, int round) throws IOException, NoSuchAlgorithmException {
        boolean underFlood = floodUp;
        long t0 = System.nanoTime();
        try (ClientSession s = login(client, plan.source(index), user(index, plan))) {
            long authed = System.nanoTime();
            Long greeted = s.getAttribute(GREETED_AT);
            logins.add(new Login(round, underFlood, greeted == null ? Double.NaN : (greeted - t0) / 1e6,
                    (authed - t0) / 1e6));
            try (SftpClient sftp = SftpClientFactory.instance().createSftpClient(s)) {
                copy(sftp, "s" + index + ".bin", plan.fileBytes(), index * 1000L + round);
                verified.incrementAndGet();
            }
        }
    }

    /** Uploads {@code size} random bytes (from {@code seed}) as {@code name}, downloads them and compares SHA-256. */
    private void copy(SftpClient sftp, String name, long size, long seed) throws IOException, NoSuchAlgorithmException {
        MessageDigest sent = MessageDigest.getInstance("SHA-256");
        SplittableRandom random = new SplittableRandom(seed);
        byte[] chunk = new byte[CHUNK];
        long up = System.nanoTime();
        try (OutputStream out = sftp.write(name)) {
            for (long left = size; left > 0; left -= CHUNK) {
                random.nextBytes(chunk);
                int n = (int) Math.min(CHUNK, left);
                sent.update(chunk, 0, n);
                out.write(chunk, 0, n);
            }
        }
        upNanos.addAndGet(System.nanoTime() - up);
        bytesUp.addAndGet(size);
        MessageDigest received = MessageDigest.getInstance("SHA-256");
        long down = System.nanoTime();
        long total = 0;
        try (InputStream in = sftp.read(name)) {
            int n;
            while ((n = in.read(chunk)) > 0) {
                received.update(chunk, 0, n);
                total += n;
            }
        }
        downNanos.addAndGet(System.nanoTime() - down);
        bytesDown.addAndGet(total);
        if (total != size || !Arrays.equals(sent.digest(), received.digest())) {
            throw new IOException("downloaded " + total + " bytes that differ from the " + size + " uploaded");
        }
    }

    /** Samples ferryd's resident set and thread count every 100 ms. */
    private static final class Sampler extends Thread {
        private final long pid;
        private volatile long maxRss;
        private volatile int maxThreads;

        Sampler(long pid) {
            super("ferryd-sampler");
            this.pid = pid;
            setDaemon(true);
        }

        @Override
        public void run() {
            while (!isInterrupted()) {
                try {
                    maxRss = Math.max(maxRss, Run.rssKib(pid));
                    maxThreads = Math.max(maxThreads, (int) Run.threads(pid));
                    Thread.sleep(100);
                } catch (IOException | InterruptedException e) {
                    return;
                }
            }
        }

        long maxRss() {
            return maxRss;
        }

        int maxThreads() {
            return maxThreads;
        }
    }
}
