package dev.ferry.it.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * HAProxy (Debian's package) run in the foreground with a configuration the test writes, its output
 * kept in {@code haproxy.log} beside the configuration. Fails under CI=true when HAProxy is missing.
 */
public final class Haproxy implements AutoCloseable {

    private static final Path BINARY = Path.of("/usr/sbin/haproxy");

    private final Process process;
    private final Path log;

    private Haproxy(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /**
     * Starts HAProxy on {@code config} (written to {@code dir/haproxy.cfg}) and waits until it accepts
     * connections on {@code host} at each of {@code ports}.
     */
    public static Haproxy start(Path dir, String config, String host, int... ports) throws IOException,
            InterruptedException {
        String binary = Peers.requireAt(BINARY);
        Path file = Files.writeString(dir.resolve("haproxy.cfg"), config);
        Path log = dir.resolve("haproxy.log");
        Process process = new ProcessBuilder(binary, "-db", "-f", file.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Haproxy haproxy = new Haproxy(process, log);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!haproxy.listening(host, ports)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                haproxy.close();
                throw new AssertionError("haproxy did not start: " + haproxy.output());
            }
            Thread.sleep(50);
        }
        return haproxy;
    }

    /** The head of a TCP-mode configuration, with timeouts long enough for a slow transfer. */
    public static String defaults() {
        return String.join("\n", "defaults", "    mode tcp", "    timeout connect 5s", "    timeout client 120s",
                "    timeout server 120s", "");
    }

    private boolean listening(String host, int... ports) {
        for (int port : ports) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), 500);
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    /** A port free now on {@code host}, for the configuration to bind. */
    public static int freePort(String host) throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return s.getLocalPort();
        }
    }

    /** What HAProxy printed so far (its warnings, the health checks' state changes). */
    public String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** Sends {@code command} to the stats socket at {@code socket} ({@code stats socket} in global) and returns the answer. */
    public static String ask(Path socket, String command) throws IOException {
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            channel.write(ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.US_ASCII)));
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(8192);
            while (channel.read(buffer) >= 0) {
                answer.write(buffer.array(), 0, buffer.position());
                buffer.clear();
            }
            return answer.toString(StandardCharsets.US_ASCII);
        }
    }

    /**
     * One server's row of {@code show stat}'s CSV, by column name ({@code status}, {@code check_status}, ...).
     * A check in progress as the table is read marks its last result with "* " ("* L7OK"): left out here.
     */
    public static Map<String, String> row(String showStat, String backend, String server) {
        List<String> lines = showStat.lines().toList();
        String[] names = lines.get(0).replaceFirst("^# ", "").split(",", -1);
        for (String line : lines.subList(1, lines.size())) {
            String[] values = line.split(",", -1);
            if (values.length >= 2 && values[0].equals(backend) && values[1].equals(server)) {
                Map<String, String> row = new LinkedHashMap<>();
                for (int i = 0; i < Math.min(names.length, values.length); i++) {
                    row.put(names[i], names[i].endsWith("_status") ? values[i].replaceFirst("^\\* ", "") : values[i]);
                }
                return row;
            }
        }
        throw new AssertionError("no row for " + backend + "/" + server + " in:\n" + showStat);
    }

    public boolean alive() {
        return process.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
