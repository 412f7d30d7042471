package dev.ferry.client.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ferry.client.connect.Interaction;

/** The control socket's protocol between a real master and client, with a runner that only echoes. */
class ControlProtocolTest {

    @Test
    void aRunComesBackWithItsOutputAndStatusAndAnotherBuildIsToldItIsStale(@TempDir Path dir) throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        Path socket = dir.resolve("cm.ferry");
        ControlMaster master = ControlMaster.bind(socket, Duration.ofSeconds(30));
        AtomicBoolean ran = new AtomicBoolean();
        Thread serving = new Thread(() -> master.serve(run -> {
            ran.set(true);
            run.out().write(String.join(" ", run.argv()).getBytes(StandardCharsets.UTF_8));
            run.err().write(run.cwd().toString().getBytes(StandardCharsets.UTF_8));
            return 7;
        }));
        serving.start();
        try {
            try (ControlClient client = ControlClient.attach(socket, false).orElseThrow()) {
                assertEquals(7, client.run(List.of("cp", "a", "h:b"), dir, false, 0, Interaction.none(s -> { })));
            }
            assertTrue(ran.getAndSet(false));

            // a run from another build of ferry: the master runs nothing and says so
            try (SocketChannel raw = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                raw.connect(UnixDomainSocketAddress.of(socket));
                OutputStream out = Frames.output(raw);
                InputStream in = Frames.input(raw);
                Frames.write(out, Frames.RUN, new Frames.Builder().integer(Frames.VERSION).text("another build")
                        .text(dir.toString()).flag(false).flag(false).integer(0).integer(1).text("cp").bytes());
                assertEquals(Frames.STALE, Frames.read(in).type());
            }
            assertFalse(ran.get(), "nothing ran for the other build");
            try (ControlClient client = ControlClient.attach(socket, false).orElseThrow()) {
                assertEquals(ProcessHandle.current().pid(), client.check().pid());
            }
        } finally {
            master.shutdown("test over");
            serving.join(5000);
        }
    }
}
