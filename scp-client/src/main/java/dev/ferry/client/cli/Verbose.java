package dev.ferry.client.cli;

import java.util.Locale;

import org.apache.sshd.common.channel.Channel;

import dev.ferry.client.sftp.Tally;

/** What {@code -v} shows of a channel: the windows and packet sizes both ends asked for, and adjustments sent. */
final class Verbose {

    private Verbose() {
    }

    static String channel(Channel channel) {
        return "channel window: ours " + size(channel.getLocalWindow().getMaxSize()) + " (packets up to "
                + size(channel.getLocalWindow().getPacketSize()) + "), the server's "
                + size(channel.getRemoteWindow().getMaxSize()) + " (packets up to "
                + size(channel.getRemoteWindow().getPacketSize()) + ")";
    }

    /** What the SFTP channels received and the window adjustments they sent for it. */
    static String windowAdjusts(Tally tally) {
        double gib = tally.bytes() / (double) (1L << 30);
        return String.format(Locale.ROOT, "received %d bytes with %d window adjustments (%.0f per GiB, window %s)",
                tally.bytes(), tally.adjusts(), gib > 0 ? tally.adjusts() / gib : 0.0, size(tally.window()));
    }

    static String size(long bytes) {
        if (bytes >= 1 << 20 && bytes % (1 << 20) == 0) {
            return (bytes >> 20) + " MiB";
        }
        if (bytes >= 1 << 10 && bytes % (1 << 10) == 0) {
            return (bytes >> 10) + " KiB";
        }
        return bytes + " B";
    }

    /** ", MAC name" when the cipher needs one (AEAD ciphers carry their own authentication). */
    static String mac(String cipher, String mac) {
        boolean aead = cipher != null && (cipher.contains("gcm") || cipher.contains("poly1305"));
        return aead || mac == null || mac.isEmpty() ? "" : ", MAC " + mac;
    }
}
