package dev.ferry.client.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * One command's manual page in man(7) roff, written from picocli's model of the command, so that
 * the page says what {@code --help} says. picocli's own generator writes AsciiDoc, which needs
 * asciidoctor to become a page; roff needs nothing but {@code man}. A subcommand gets a page of
 * its own, named as git names them ({@code ferryd-user-add(1)}).
 */
final class ManPage {

    /** Text in a description that names an option ({@code --state-dir}, {@code -v}): set in bold. */
    private static final Pattern OPTION_NAME = Pattern.compile("(?<![\\w-])--?[A-Za-z][\\w-]*");

    private ManPage() {
    }

    /** The page's file name: {@code ferryd-user-add.1}. */
    static String fileName(CommandSpec spec) {
        return pageName(spec) + ".1";
    }

    private static String pageName(CommandSpec spec) {
        return spec.qualifiedName("-");
    }

    /** A section the command's model does not hold (ENVIRONMENT, FILES): each term with its definition. */
    record Section(String title, Map<String, String> definitions) {
    }

    /** The page of {@code spec}; {@code source} names the package and its version in the footer. */
    static String roff(CommandSpec spec, String source) {
        return roff(spec, source, List.of());
    }

    /** The page of {@code spec} with {@code extra} sections before SEE ALSO. */
    static String roff(CommandSpec spec, String source, List<Section> extra) {
        StringBuilder page = new StringBuilder();
        String[] description = spec.usageMessage().description();
        page.append(".TH ").append(quoted(pageName(spec).toUpperCase(Locale.ROOT))).append(" 1 \"\" ")
                .append(quoted(source)).append(" \"User Commands\"\n");
        page.append(".nh\n.ad l\n"); // option names and paths are neither hyphenated nor stretched
        page.append(".SH NAME\n").append(escape(pageName(spec))).append(" \\- ")
                .append(escape(description.length > 0 ? firstSentence(description[0]) : spec.qualifiedName()))
                .append('\n');

        page.append(".SH SYNOPSIS\n");
        page.append(".B ").append(escape(spec.qualifiedName())).append('\n');
        for (OptionSpec option : visibleOptions(spec)) {
            page.append(synopsisItem(option)).append('\n');
        }
        for (PositionalParamSpec parameter : visibleParameters(spec)) {
            page.append(parameter.required() ? "" : "[").append("\\fI").append(escape(parameter.paramLabel()))
                    .append("\\fR").append(parameter.isMultiValue() && !parameter.paramLabel().contains("...")
                            ? "..." : "").append(parameter.required() ? "" : "]").append('\n');
        }
        if (!subcommands(spec).isEmpty()) {
            page.append("\\fICOMMAND\\fR [\\fIOPTION\\fR...]\n");
        }

        if (description.length > 0) {
            page.append(".SH DESCRIPTION\n");
            // picocli prints each line of a description on a line of its own: here each is a paragraph
            Arrays.stream(description).filter(line -> !line.isEmpty())
                    .forEach(line -> page.append(".PP\n").append(text(line)).append('\n'));
        }
        List<OptionSpec> options = visibleOptions(spec);
        if (!options.isEmpty()) {
            page.append(".SH OPTIONS\n");
            for (OptionSpec option : options) {
                page.append(".TP\n").append(optionHead(option)).append('\n');
                appendDescription(page, option);
            }
        }
        List<PositionalParamSpec> parameters = visibleParameters(spec);
        if (parameters.stream().anyMatch(p -> p.description().length > 0)) {
            page.append(".SH ARGUMENTS\n");
            for (PositionalParamSpec parameter : parameters) {
                page.append(".TP\n\\fI").append(escape(parameter.paramLabel())).append("\\fR\n");
                appendDescription(page, parameter);
            }
        }
        List<CommandLine> commands = subcommands(spec);
        if (!commands.isEmpty()) {
            page.append(".SH COMMANDS\n");
            for (CommandLine command : commands) {
                CommandSpec sub = command.getCommandSpec();
                String[] what = sub.usageMessage().description();
                page.append(".TP\n\\fB").append(escape(sub.name())).append("\\fR\n")
                        .append(what.length > 0 ? text(what[0]) : "").append(" See \\fB")
                        .append(escape(pageName(sub))).append("\\fR(1).\n");
            }
        }
        for (Section section : extra) {
            page.append(".SH ").append(escape(section.title())).append('\n');
            section.definitions().forEach((term, definition) -> page.append(".TP\n\\fB").append(escape(term))
                    .append("\\fR\n").append(text(definition)).append('\n'));
        }
        List<String> related = new ArrayList<>();
        if (spec.parent() != null) {
            related.add(pageName(spec.parent()));
        }
        commands.forEach(c -> related.add(pageName(c.getCommandSpec())));
        if (!related.isEmpty()) {
            page.append(".SH SEE ALSO\n");
            for (int i = 0; i < related.size(); i++) {
                page.append(".BR ").append(escape(related.get(i))).append(" (1)")
                        .append(i < related.size() - 1 ? "," : "").append('\n');
            }
        }
        return page.toString();
    }

    private static void appendDescription(StringBuilder page, ArgSpec arg) {
        String[] lines = arg.description();
        for (int i = 0; i < lines.length; i++) {
            page.append(i > 0 && lines[i].isEmpty() ? ".IP\n" : text(lines[i]) + "\n");
        }
    }

    private static List<OptionSpec> visibleOptions(CommandSpec spec) {
        return spec.options().stream().filter(o -> !o.hidden()).toList();
    }

    private static List<PositionalParamSpec> visibleParameters(CommandSpec spec) {
        return spec.positionalParameters().stream().filter(p -> !p.hidden()).toList();
    }

    /** The subcommands once each (picocli lists a command again under each alias), hidden ones left out. */
    static List<CommandLine> subcommands(CommandSpec spec) {
        List<CommandLine> seen = new ArrayList<>();
        for (CommandLine c : spec.subcommands().values()) {
            if (!c.getCommandSpec().usageMessage().hidden() && seen.stream().noneMatch(s -> s == c)) {
                seen.add(c);
            }
        }
        return seen;
    }

    private static String synopsisItem(OptionSpec option) {
        StringBuilder item = new StringBuilder(option.required() ? "" : "[");
        item.append("\\fB").append(escape(option.longestName())).append("\\fR");
        if (option.typeInfo().isBoolean() || option.arity().max() == 0) {
            return item.append(option.required() ? "" : "]").toString();
        }
        item.append(separator(option.longestName())).append("\\fI").append(escape(option.paramLabel())).append("\\fR");
        return item.append(option.required() ? "" : "]").toString();
    }

    private static String optionHead(OptionSpec option) {
        StringBuilder head = new StringBuilder();
        for (String name : option.names()) {
            head.append(head.length() > 0 ? ", " : "").append("\\fB").append(escape(name)).append("\\fR");
        }
        if (!option.typeInfo().isBoolean() && option.arity().max() > 0) {
            head.append(separator(option.longestName())).append("\\fI").append(escape(option.paramLabel()))
                    .append("\\fR");
        }
        return head.toString();
    }

    /** {@code --port=N} but {@code -P N}, as the options are written on a command line (a space no line breaks). */
    private static String separator(String optionName) {
        return optionName.startsWith("--") ? "=" : "\\ ";
    }

    private static String firstSentence(String line) {
        int end = line.indexOf(": ");
        String s = end > 0 ? line.substring(0, end) : line;
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    /** A line of running text: escaped, option names in bold, safe even when it starts with a dot or a quote. */
    static String text(String line) {
        Matcher m = OPTION_NAME.matcher(line);
        StringBuilder out = new StringBuilder();
        int at = 0;
        while (m.find()) {
            out.append(escape(line.substring(at, m.start()))).append("\\fB").append(escape(m.group())).append("\\fR");
            at = m.end();
        }
        out.append(escape(line.substring(at)));
        return line.startsWith(".") || line.startsWith("'") ? "\\&" + out : out.toString();
    }

    /** Backslashes printed as backslashes; hyphens as the ASCII hyphen-minus that a user types. */
    static String escape(String s) {
        return s.replace("\\", "\\e").replace("-", "\\-");
    }

    private static String quoted(String s) {
        return "\"" + escape(s).replace("\"", "\\(dq") + "\"";
    }
}
