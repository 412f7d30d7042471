package dev.ferry.server.config;

/** How the configuration files' text appears in error messages. */
final class Text {

    private Text() {
    }

    /**
     * Text from the file as an error message shows it: on one line, and without control characters
     * that the terminal would obey (a name or value in quotes or a flow mapping may hold any).
     */
    static String shown(String text) {
        StringBuilder shown = new StringBuilder(text.length());
        text.codePoints().forEach(c -> {
            switch (c) {
                case '\n' -> shown.append("\\n");
                case '\r' -> shown.append("\\r");
                case '\t' -> shown.append("\\t");
                default -> {
                    if (Character.isISOControl(c)) {
                        shown.append(String.format("\\u%04x", c));
                    } else {
                        shown.appendCodePoint(c);
                    }
                }
            }
        });
        return shown.toString();
    }
}
