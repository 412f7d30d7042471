package dev.ferry.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The most files a server held open during one run, sampled every {@value #PERIOD_MILLIS} ms
 * from /proc: the issue asks that a tree's handles stay bounded, and a server that opened every
 * file of a tree at once would show it here. For sshd it is the sum over the listener's children
 * (one process, or two with an external sftp-server, per connection), whose handles are the
 * session's; the listener's own few files are left out. A sample can miss a peak shorter than
 * the period; it is a bound's witness, not an exact count.
 */
final class OpenFiles implements AutoCloseable {

    private static final long PERIOD_MILLIS = 50;

    private final long pid;
    private final boolean children;
    private final Thread sampler;
    private volatile int peak;
    private volatile boolean done;

    private OpenFiles(long pid, boolean children) {
        this.pid = pid;
        this.children = children;
        this.sampler = new Thread(this::sample, "open-files-" + pid);
        sampler.setDaemon(true);
    }

    /** Starts sampling {@code pid}'s open files, or its descendants' with {@code children}. */
    static OpenFiles watch(long pid, boolean children) {
        OpenFiles files = new OpenFiles(pid, children);
        files.sampler.start();
        return files;
    }

    int peak() {
        return peak;
    }

    private void sample() {
        while (!done) {
            peak = Math.max(peak, countNow());
            try {
                Thread.sleep(PERIOD_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private int countNow() {
        List<Long> pids = children
                ? ProcessHandle.of(pid).map(p -> p.descendants().map(ProcessHandle::pid).toList()).orElse(List.of())
                : List.of(pid);
        int n = 0;
        for (long p : pids) {
            try (Stream<Path> fds = Files.list(Path.of("/proc", String.valueOf(p), "fd"))) {
                n += (int) fds.count();
            } catch (IOException | SecurityException gone) {
                // the process ended between the listing of processes and of its files
            }
        }
        return n;
    }

    @Override
    public void close() throws InterruptedException {
        done = true;
        sampler.interrupt();
        sampler.join();
    }
}
