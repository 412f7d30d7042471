package dev.ferry.transport;

import java.util.Locale;
import java.util.Map;

/**
 * The IP TOS byte (DSCP << 2) put on a connection's packets, named as OpenSSH's {@code IPQoS} names
 * them. Ferry leaves bulk transfers unmarked by default: OpenSSH 7.8 to 9.x marked them CS1
 * ("lower effort"), which Wi-Fi maps to its background queue, and that made uploads crawl.
 *
 * @param tos the byte written to IP_TOS / IPV6_TCLASS, 0..255; 0 means unmarked
 */
public record IpQos(int tos) {

    public static final IpQos NONE = new IpQos(0);

    private static final Map<String, Integer> NAMES = Map.ofEntries(
            Map.entry("af11", 0x28), Map.entry("af12", 0x30), Map.entry("af13", 0x38),
            Map.entry("af21", 0x48), Map.entry("af22", 0x50), Map.entry("af23", 0x58),
            Map.entry("af31", 0x68), Map.entry("af32", 0x70), Map.entry("af33", 0x78),
            Map.entry("af41", 0x88), Map.entry("af42", 0x90), Map.entry("af43", 0x98),
            Map.entry("cs0", 0x00), Map.entry("cs1", 0x20), Map.entry("cs2", 0x40), Map.entry("cs3", 0x60),
            Map.entry("cs4", 0x80), Map.entry("cs5", 0xa0), Map.entry("cs6", 0xc0), Map.entry("cs7", 0xe0),
            Map.entry("ef", 0xb8), Map.entry("le", 0x04),
            // the old TOS names, as OpenSSH maps them
            Map.entry("lowdelay", 0x10), Map.entry("throughput", 0x08), Map.entry("reliability", 0x04),
            Map.entry("none", 0x00));

    public IpQos {
        if (tos < 0 || tos > 255) {
            throw new IllegalArgumentException("IPQoS value out of range 0..255: " + tos);
        }
    }

    /**
     * Parses one OpenSSH IPQoS value: a name above or a number (decimal, or 0x hex). For OpenSSH's
     * two-value form ("interactive bulk") the second, the bulk one, is what a file copy uses.
     */
    public static IpQos parse(String text) {
        String[] values = text.strip().split("\\s+");
        String value = values[values.length - 1].toLowerCase(Locale.ROOT);
        Integer named = NAMES.get(value);
        if (named != null) {
            return new IpQos(named);
        }
        try {
            return new IpQos(value.startsWith("0x") ? Integer.parseInt(value.substring(2), 16) : Integer.parseInt(value));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("unknown IPQoS value '" + value + "' (use af11..af43, cs0..cs7, ef, le, "
                    + "lowdelay, throughput, reliability, none, or a number)");
        }
    }

    /** The DSCP code point (the TOS byte's upper six bits). */
    public int dscp() {
        return tos >> 2;
    }
}
