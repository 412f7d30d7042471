package dev.ferry.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

class ManPageTest {

    @Command(name = "tool", description = {"Does things: many of them.", "", ".dotted line stays text"},
            subcommands = {Tool.Run.class, Tool.Secret.class})
    static final class Tool {
        @Option(names = {"-p", "--port"}, paramLabel = "N", description = "Port, as with --listen.")
        int port;

        @Option(names = "--internal", hidden = true, description = "Not for users.")
        boolean internal;

        @Parameters(paramLabel = "FILE", arity = "0..*", description = "Files, \\ and all.")
        java.util.List<String> files;

        @Command(name = "run", description = "Run it.")
        static final class Run {
        }

        @Command(name = "secret", hidden = true)
        static final class Secret {
        }
    }

    private static String page() {
        return ManPage.roff(new CommandLine(new Tool()).getCommandSpec(), "Ferry 1.0");
    }

    @Test
    void aLineStartingWithADotIsPrintedRatherThanTakenForARequest() {
        assertTrue(page().contains("\n\\&.dotted line stays text\n"), page());
    }

    @Test
    void backslashesAndHyphensArePrintedAsTyped() {
        assertEquals("a\\eb\\-c", ManPage.escape("a\\b-c"));
        assertTrue(page().contains("Files, \\e and all."), page());
    }

    @Test
    void optionNamesInRunningTextAreBoldAndWordsWithHyphensAreNot() {
        assertEquals("see \\fB\\-\\-state\\-dir\\fR, \\fB\\-v\\fR and user\\-space", ManPage.text("see --state-dir, -v and user-space"));
    }

    @Test
    void thePageNamesItsOptionsCommandsAndArgumentsButNothingHidden() {
        String page = page();
        assertTrue(page.startsWith(".TH \"TOOL\" 1 \"\" \"Ferry 1.0\""), page);
        assertTrue(page.contains(".SH NAME\ntool \\- Does things\n"), page);
        assertTrue(page.contains("\\fB\\-p\\fR, \\fB\\-\\-port\\fR=\\fIN\\fR\nPort, as with \\fB\\-\\-listen\\fR.\n"), page);
        assertTrue(page.contains("[\\fIFILE\\fR...]"), page);
        assertTrue(page.contains(".SH COMMANDS\n.TP\n\\fBrun\\fR\nRun it. See \\fBtool\\-run\\fR(1).\n"), page);
        assertTrue(page.contains(".SH SEE ALSO\n.BR tool\\-run (1)\n"), page);
        assertFalse(page.contains("internal") || page.contains("secret"), page);
    }

    @Test
    void aSubcommandsPageIsNamedAfterItsPathAndPointsBackToItsParent() {
        CommandLine run = new CommandLine(new Tool()).getSubcommands().get("run");
        assertEquals("tool-run.1", ManPage.fileName(run.getCommandSpec()));
        assertTrue(ManPage.roff(run.getCommandSpec(), "Ferry 1.0").contains(".SH SEE ALSO\n.BR tool (1)\n"));
    }
}
