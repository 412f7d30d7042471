package dev.ferry.server.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import dev.ferry.server.auth.Defender;
import dev.ferry.server.auth.Network;

/**
 * How {@code ferryd ban list|remove} reach a running ferryd: through its state directory. The
 * server writes the bans in force to {@code bans} whenever they change, and takes each request file
 * put into {@code ban-requests/} (one address per file), lifting that ban and deleting the file; it
 * looks once a second. Only who can write the state directory can lift a ban.
 */
final class BanLedger {

    static final String BANS = "bans";
    static final String REQUESTS = "ban-requests";

    private final Path stateDir;
    private final Defender defender;
    private String written;

    BanLedger(Path stateDir, Defender defender) {
        this.stateDir = stateDir;
        this.defender = defender;
    }

    /** Starts looking once a second, on a daemon thread, until the JVM exits. */
    void start() {
        Thread keeper = new Thread(() -> {
            while (true) {
                try {
                    Thread.sleep(1000);
                    tick();
                } catch (InterruptedException e) {
                    return;
                } catch (IOException | RuntimeException e) {
                    // a full or read-only state dir: the bans still work, only their listing waits
                }
            }
        }, "ferryd-ban-ledger");
        keeper.setDaemon(true);
        keeper.start();
    }

    /** Takes the pending requests and writes the list if it changed. */
    void tick() throws IOException {
        Path requests = stateDir.resolve(REQUESTS);
        if (Files.isDirectory(requests)) {
            try (DirectoryStream<Path> pending = Files.newDirectoryStream(requests)) {
                for (Path request : pending) {
                    String address = Files.readString(request, StandardCharsets.UTF_8).strip();
                    try {
                        defender.lift(Network.literal(address));
                    } catch (IllegalArgumentException e) {
                        // not an address: nothing to lift
                    }
                    Files.deleteIfExists(request);
                }
            }
        }
        StringBuilder list = new StringBuilder();
        for (Defender.Ban ban : defender.bans()) {
            list.append(ban.address().getHostAddress()).append('\t').append(ban.until()).append('\t')
                    .append(ban.previous() + 1).append('\n');
        }
        String now = list.toString();
        if (!now.equals(written)) {
            Path tmp = stateDir.resolve(BANS + ".tmp");
            Files.writeString(tmp, now, StandardCharsets.UTF_8);
            Files.move(tmp, stateDir.resolve(BANS), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            written = now;
        }
    }

    /** A ban as the file lists it. */
    record Entry(String address, Instant until, int count) {
    }

    /** The bans the running server listed, those still in force at {@code now}. */
    static List<Entry> read(Path stateDir, Instant now) throws IOException {
        Path file = stateDir.resolve(BANS);
        List<Entry> entries = new ArrayList<>();
        if (!Files.exists(file)) {
            return entries;
        }
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String[] f = line.split("\t");
            if (f.length == 3) {
                Instant until = Instant.parse(f[1]);
                if (until.isAfter(now)) {
                    entries.add(new Entry(f[0], until, Integer.parseInt(f[2])));
                }
            }
        }
        return entries;
    }
}
