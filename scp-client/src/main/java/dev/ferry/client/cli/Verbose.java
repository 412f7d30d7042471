package dev.ferry.client.cli;

import org.apache.sshd.common.channel.Channel;

/** What {@code -v} shows of a channel: the windows and packet sizes both ends asked for. */
final class Verbose {

    private Verbose() {
    }

    static String channel(Channel channel) {
        return "channel window: ours " + size(channel.getLocalWindow().getMaxSize()) + " (packets up to "
                + size(channel.getLocalWindow().getPacketSize()) + "), the server's "
                + size(channel.getRemoteWindow().getMaxSize()) + " (packets up to "
                + size(channel.getRemoteWindow().getPacketSize()) + ")";
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
}
