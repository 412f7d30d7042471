package dev.ferry.server.auth;

/**
 * What one user may use, beyond what {@link dev.ferry.server.fs.FsPolicy} allows: a quota on the
 * bytes and files under their root, the bandwidth of their transfers, and their connections at
 * once. Zero means unlimited, as in SFTPGo's user settings.
 *
 * @param quotaBytes    bytes all files under the root may hold together
 * @param quotaFiles    regular files the root may hold
 * @param uploadRate    bytes per second written by all the user's uploads together
 * @param downloadRate  bytes per second read by all the user's downloads together
 * @param maxSessions   connections the user may have logged in at once
 */
public record UserLimits(long quotaBytes, long quotaFiles, long uploadRate, long downloadRate, int maxSessions) {

    public static final UserLimits NONE = new UserLimits(0, 0, 0, 0, 0);

    public UserLimits {
        if (quotaBytes < 0 || quotaFiles < 0 || uploadRate < 0 || downloadRate < 0 || maxSessions < 0) {
            throw new IllegalArgumentException("limits cannot be negative");
        }
    }

    public boolean hasQuota() {
        return quotaBytes > 0 || quotaFiles > 0;
    }
}
