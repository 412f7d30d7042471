package dev.ferry.server.config;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * One mapping of a YAML file read key by key, so that every mistake is one sentence naming the
 * file, the key as a path ({@code limits.loginGraceTime}) and its line. Jackson's data binding
 * knows the line of an unknown key but not of a value that is wrong for reasons of its own (a time
 * without a unit, a port out of range), and each of those is checked here, where the node's line is
 * still known.
 *
 * <p>Every key of the mapping must be asked for by {@link #finish()}; one that was not is unknown,
 * and is refused with the keys that are known, as sshd refuses a misspelled option.
 */
final class YamlSection {

    private final Path file;
    private final String prefix;
    private final Node node;
    private final Map<String, NodeTuple> entries = new LinkedHashMap<>();
    private final Set<String> asked = new LinkedHashSet<>();

    private YamlSection(Path file, String prefix, MappingNode node) throws IOException {
        this.file = file;
        this.prefix = prefix;
        this.node = node;
        for (NodeTuple tuple : node.getValue()) {
            if (!(tuple.getKeyNode() instanceof ScalarNode key)) {
                throw error(tuple.getKeyNode(), "a key must be a plain name");
            }
            if (entries.putIfAbsent(key.getValue(), tuple) != null) {
                throw error(key, "'" + path(key.getValue()) + "' is given twice");
            }
        }
    }

    /** The top mapping of {@code text}; an empty document is an empty mapping. */
    static YamlSection parse(Path file, String text) throws IOException {
        Node root;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(true); // refused above, with the key's name
            options.setMaxAliasesForCollections(10);
            root = new Yaml(options).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark();
            throw new IOException(file + (mark == null ? "" : ":" + (mark.getLine() + 1)) + ": "
                    + Text.shown(String.valueOf(e.getProblem()).strip()));
        } catch (RuntimeException e) {
            throw new IOException(file + ": not YAML: " + Text.shown(String.valueOf(e.getMessage())));
        }
        if (root == null) {
            return new YamlSection(file, "", new MappingNode(Tag.MAP, List.of(), DumperOptions.FlowStyle.AUTO));
        }
        if (!(root instanceof MappingNode mapping)) {
            throw new IOException(file + ":" + line(root) + ": expected settings as 'key: value' lines");
        }
        return new YamlSection(file, "", mapping);
    }

    Path file() {
        return file;
    }

    /** The full name of {@code key} in this section, as errors show it. */
    String path(String key) {
        return prefix.isEmpty() ? key : prefix + "." + key;
    }

    /** An error about {@code key}'s value, at its line. */
    IOException invalid(String key, String problem) {
        NodeTuple tuple = entries.get(key);
        return error(tuple == null ? node : tuple.getValueNode(), "'" + path(key) + "' " + problem);
    }

    IOException error(Node at, String problem) {
        return new IOException(file + ":" + line(at) + ": " + problem);
    }

    private static int line(Node node) {
        return node.getStartMark() == null ? 1 : node.getStartMark().getLine() + 1;
    }

    boolean has(String key) {
        asked.add(key);
        NodeTuple tuple = entries.get(key);
        return tuple != null && !isNull(tuple.getValueNode());
    }

    private static boolean isNull(Node node) {
        return node instanceof ScalarNode s && node.getTag().getValue().endsWith(":null");
    }

    /** A scalar's text, if the key is there. */
    Optional<String> string(String key) throws IOException {
        if (!has(key)) {
            return Optional.empty();
        }
        Node value = entries.get(key).getValueNode();
        if (!(value instanceof ScalarNode scalar)) {
            throw invalid(key, "must be a single value");
        }
        return Optional.of(scalar.getValue());
    }

    Optional<Boolean> bool(String key) throws IOException {
        Optional<String> text = string(key);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        return switch (text.get().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> Optional.of(true);
            case "false", "no", "off" -> Optional.of(false);
            default -> throw invalid(key, "must be true or false, not '" + Text.shown(text.get()) + "'");
        };
    }

    Optional<Integer> integer(String key, int min, int max) throws IOException {
        Optional<String> text = string(key);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            int n = Integer.parseInt(text.get().strip());
            if (n < min || n > max) {
                throw invalid(key, "must be within " + min + ".." + max + ", not " + n);
            }
            return Optional.of(n);
        } catch (NumberFormatException e) {
            throw invalid(key, "must be a whole number, not '" + Text.shown(text.get()) + "'");
        }
    }

    /**
     * A list of scalars; a single scalar is a list of one, so that {@code listen: 0.0.0.0:2222}
     * reads as naturally as a list does.
     */
    Optional<List<String>> strings(String key) throws IOException {
        if (!has(key)) {
            return Optional.empty();
        }
        Node value = entries.get(key).getValueNode();
        if (value instanceof ScalarNode scalar) {
            return Optional.of(List.of(scalar.getValue()));
        }
        if (!(value instanceof SequenceNode sequence)) {
            throw invalid(key, "must be a value or a list of values");
        }
        List<String> items = new ArrayList<>();
        for (Node item : sequence.getValue()) {
            if (!(item instanceof ScalarNode scalar)) {
                throw error(item, "'" + path(key) + "' must list single values");
            }
            items.add(scalar.getValue());
        }
        return Optional.of(items);
    }

    /** A nested mapping, if the key is there. */
    Optional<YamlSection> section(String key) throws IOException {
        if (!has(key)) {
            return Optional.empty();
        }
        Node value = entries.get(key).getValueNode();
        if (!(value instanceof MappingNode mapping)) {
            throw invalid(key, "must hold settings ('" + key + ":' followed by indented 'name: value' lines)");
        }
        return Optional.of(new YamlSection(file, path(key), mapping));
    }

    /** Refuses the first key nobody asked for, naming the keys that are known here. */
    void finish() throws IOException {
        for (Map.Entry<String, NodeTuple> e : entries.entrySet()) {
            if (!asked.contains(e.getKey())) {
                throw error(e.getValue().getKeyNode(), "unknown setting '" + Text.shown(path(e.getKey()))
                        + "' (known here: " + String.join(", ", asked) + ")");
            }
        }
    }
}
