package dev.ferry.server.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;

import dev.ferry.server.auth.Network;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code ferryd ban list|remove ADDR}: the bans of the ferryd running on the same state directory. */
@Command(name = "ban", mixinStandardHelpOptions = true,
        description = "List or lift the bans of the ferryd running with this state directory.",
        subcommands = {BanCommand.ListBans.class, BanCommand.Remove.class})
public final class BanCommand {

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the addresses banned now.")
    static final class ListBans implements Callable<Integer> {
        @Mixin
        StateOptions state;

        @Override
        public Integer call() throws IOException {
            Instant now = Instant.now();
            List<BanLedger.Entry> bans = BanLedger.read(state.stateDir(), now);
            if (bans.isEmpty()) {
                System.out.println("no address is banned");
            }
            for (BanLedger.Entry ban : bans) {
                System.out.printf("%s banned for %d s more (ban %d)%n", ban.address(),
                        Math.max(1, Duration.between(now, ban.until()).toSeconds()), ban.count());
            }
            return 0;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Lift the ban on an address.")
    static final class Remove implements Callable<Integer> {
        @Mixin
        StateOptions state;

        @Parameters(paramLabel = "ADDRESS", description = "The banned IP address.")
        String address;

        @Override
        public Integer call() throws IOException, InterruptedException {
            InetAddress ip = Network.literal(address);
            Path requests = state.stateDir().resolve(BanLedger.REQUESTS);
            Files.createDirectories(requests);
            Path request = requests.resolve("remove-" + ip.getHostAddress().replace(':', '_'));
            Files.writeString(request, ip.getHostAddress() + "\n", StandardCharsets.UTF_8);
            for (int i = 0; i < 50 && Files.exists(request); i++) {
                Thread.sleep(100);
            }
            if (Files.exists(request)) {
                Files.deleteIfExists(request);
                throw new IOException("no ferryd running with state directory " + state.stateDir()
                        + " took the request within 5 s");
            }
            System.out.println(ip.getHostAddress() + " is not banned now");
            return 0;
        }
    }
}
