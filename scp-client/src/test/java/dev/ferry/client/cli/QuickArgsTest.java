package dev.ferry.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

class QuickArgsTest {

    /** The quick table names every option picocli knows for cp and sync, each taking a value or not alike. */
    @Test
    void theTableSaysWhatPicocliSays() {
        for (String command : List.of("cp", "sync")) {
            CommandLine line = CommandLines.of(Invocation.standalone(), new String[0]).getSubcommands().get(command);
            Map<String, Boolean> fromPicocli = new HashMap<>();
            for (OptionSpec option : line.getCommandSpec().options()) {
                boolean takesValue = option.arity().min() > 0; // -z's optional true/false is read as a flag
                for (String name : option.names()) {
                    if (!List.of("-h", "--help", "-V", "--version").contains(name)) {
                        fromPicocli.put(name, takesValue);
                    }
                }
                if (option.negatable()) {
                    fromPicocli.put("--no-compress", false);
                }
            }
            assertEquals(fromPicocli, QuickArgs.OPTIONS.get(command), command);
        }
    }

    private static QuickArgs copy(String... args) {
        return assertInstanceOf(QuickArgs.Copy.class, QuickArgs.look(args)).args();
    }

    @Test
    void operandsAndConnectionOptionsAreFoundAsPicocliFindsThem() {
        QuickArgs a = copy("cp", "-rp", "-P2222", "-l", "800", "-o", "ControlPath=~/.ssh/cm-%C", "-oUser=bob",
                "--streams=4", "-F", "/dev/null", "-J", "hop", "src", "host:dst");
        assertEquals(List.of("src", "host:dst"), a.operands());
        assertEquals(OptionalInt.of(2222), a.options().port());
        assertEquals(Optional.of("~/.ssh/cm-%C"), a.options().option("ControlPath"));
        assertEquals(Optional.of("bob"), a.options().option("user"));
        assertEquals(Optional.of(Path.of("/dev/null")), a.options().configFile());
        assertEquals(Optional.of("hop"), a.options().jump());
        QuickArgs b = copy("sync", "-Bz", "--digest", "sha256", "--no-compress", "--", "-odd-name", "h:x");
        assertEquals(List.of("-odd-name", "h:x"), b.operands());
        assertEquals(true, b.options().batchMode());
    }

    @Test
    void whatTheTableDoesNotKnowIsLeftToPicocli() {
        assertInstanceOf(QuickArgs.Unsure.class, QuickArgs.look(new String[] {"cp", "--no-such", "a", "h:b"}));
        assertInstanceOf(QuickArgs.Unsure.class, QuickArgs.look(new String[] {"cp", "-rX", "a", "h:b"}));
        assertInstanceOf(QuickArgs.Unsure.class, QuickArgs.look(new String[] {"cp", "a", "h:b", "-P"}));
        assertInstanceOf(QuickArgs.Unsure.class, QuickArgs.look(new String[] {"cp", "-P", "x", "a", "h:b"}));
        assertInstanceOf(QuickArgs.Unsure.class, QuickArgs.look(new String[] {"cp", "-o", "Bogus=1", "a", "h:b"}));
        assertInstanceOf(QuickArgs.NotACopy.class, QuickArgs.look(new String[] {"cp", "--help"}));
        assertInstanceOf(QuickArgs.NotACopy.class, QuickArgs.look(new String[] {"demo"}));
        assertInstanceOf(QuickArgs.NotACopy.class, QuickArgs.look(new String[0]));
    }
}
