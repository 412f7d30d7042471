package dev.ferry.client.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.ferry.server.cli.FerrydMain;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Writes the manual pages and bash completion scripts of {@code ferry} and {@code ferryd} for the
 * distribution archive, from the same picocli command lines the programs run; the build runs it
 * (exec-maven-plugin, scp-client's pom) before it packs the archive. A build class rather than part
 * of ferry: the pages are made once, at build time, and ship as files.
 *
 * <p>Arguments: the output directory, and the name and version for the pages' footer. It writes
 * there what the archive holds under the same names: {@code share/man/man1/*.1} and
 * {@code share/bash-completion/completions/ferry} and {@code ferryd}.
 */
public final class DistDocs {

    /** What bin/ferry and bin/ferryd read (src/main/dist/bin/launch and scripts/jvm.bash). */
    private static final ManPage.Section ENVIRONMENT = environment();

    private static ManPage.Section environment() {
        Map<String, String> variables = new LinkedHashMap<>();
        variables.put("FERRY_JAVA", "The java program, or the JDK's directory, to run on. Without it: the newest JDK "
                + "of version 17 or later among JAVA_HOME and the JDKs in FERRY_JVM_DIR (default /usr/lib/jvm), else "
                + "java on PATH.");
        variables.put("FERRY_CACHE_DIR", "Where the JVM keeps the classes a run loads, so that the next run starts "
                + "sooner (JDK 19 and later). Default: CACHE_DIRECTORY (which systemd's CacheDirectory= sets), else "
                + "XDG_CACHE_HOME/ferry, else ~/.cache/ferry; never in the installation.");
        return new ManPage.Section("ENVIRONMENT", variables);
    }

    private DistDocs() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: DistDocs OUTPUT_DIR 'ferry VERSION'");
        }
        Path out = Path.of(args[0]);
        String source = args[1];
        write(out, CommandLines.of(Invocation.standalone(), new String[0]), source);
        write(out, FerrydMain.commandLine(), source);
    }

    private static void write(Path out, CommandLine program, String source) throws IOException {
        Path man = Files.createDirectories(out.resolve("share/man/man1"));
        writePages(man, program, source);
        String name = program.getCommandName();
        Path completions = Files.createDirectories(out.resolve("share/bash-completion/completions"));
        Files.writeString(completions.resolve(name), AutoComplete.bash(name, program), StandardCharsets.UTF_8);
    }

    private static void writePages(Path dir, CommandLine command, String source) throws IOException {
        CommandSpec spec = command.getCommandSpec();
        List<ManPage.Section> extra = spec.parent() == null ? List.of(ENVIRONMENT) : List.of();
        Files.writeString(dir.resolve(ManPage.fileName(spec)), ManPage.roff(spec, source, extra), StandardCharsets.UTF_8);
        for (CommandLine sub : ManPage.subcommands(command.getCommandSpec())) {
            writePages(dir, sub, source);
        }
    }
}
