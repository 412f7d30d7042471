package dev.ferry.server.quota;

import java.util.function.Supplier;

import dev.ferry.fs.QuotaExceededException;
import dev.ferry.fs.SpaceAccount;
import dev.ferry.server.auth.UserLimits;

/**
 * One user's bytes and regular files, as counted since their root was last walked, held against
 * their quota as it is now (looked up at each check, so that a reload that changes it applies at
 * once). Every session of the user shares it.
 */
public final class Usage implements SpaceAccount {

    private final String user;
    private final Supplier<UserLimits> limits;
    private long bytes;
    private long files;

    Usage(String user, Supplier<UserLimits> limits, Tally scanned) {
        this.user = user;
        this.limits = limits;
        set(scanned);
    }

    public String user() {
        return user;
    }

    /** What the user holds now. */
    public synchronized Tally tally() {
        return new Tally(bytes, files);
    }

    /** Starts again from a walk of the root. */
    synchronized void set(Tally scanned) {
        bytes = scanned.bytes();
        files = scanned.files();
    }

    @Override
    public synchronized void fits(String path, long size, long replacing) throws QuotaExceededException {
        UserLimits l = limits.get();
        if (replacing < 0 && l.quotaFiles() > 0 && files + 1 > l.quotaFiles()) {
            throw exceeded(path, "files", files, l.quotaFiles());
        }
        checkBytes(l, path, size, Math.max(0, replacing));
    }

    @Override
    public synchronized void creating(String path, long replacing) throws QuotaExceededException {
        UserLimits l = limits.get();
        // A replacement's temporary file is counted, but it needs no room in the quota: the file
        // it replaces goes when it is renamed into place.
        if (replacing < 0 && l.quotaFiles() > 0 && files + 1 > l.quotaFiles()) {
            throw exceeded(path, "files", files, l.quotaFiles());
        }
        files++;
    }

    @Override
    public synchronized void growing(String path, long more, long allowance) throws QuotaExceededException {
        checkBytes(limits.get(), path, more, allowance);
        bytes += more;
    }

    private void checkBytes(UserLimits l, String path, long more, long allowance) throws QuotaExceededException {
        if (l.quotaBytes() > 0 && more > 0 && bytes + more > l.quotaBytes() + allowance) {
            throw exceeded(path, "bytes", bytes, l.quotaBytes());
        }
    }

    @Override
    public synchronized void shrunk(long less) {
        bytes = Math.max(0, bytes - less);
    }

    @Override
    public synchronized void removed(long size) {
        bytes = Math.max(0, bytes - size);
        files = Math.max(0, files - 1);
    }

    private QuotaExceededException exceeded(String path, String limit, long used, long quota) {
        String amount = limit.equals("bytes") ? Tally.size(quota) : quota + " files";
        return new QuotaExceededException("quota exceeded: " + amount + " for " + user, user, path, limit, used,
                quota);
    }

    /** {@code alice: 1.2 GiB in 340 files (quota 10 GiB, 1000 files)}, as {@code ferryd user quota-scan} prints it. */
    public String describe() {
        return describe(user, tally(), limits.get());
    }

    public static String describe(String user, Tally tally, UserLimits l) {
        String quota = !l.hasQuota() ? "no quota"
                : "quota " + (l.quotaBytes() > 0 ? Tally.size(l.quotaBytes()) : "unlimited bytes") + ", "
                        + (l.quotaFiles() > 0 ? l.quotaFiles() + " files" : "unlimited files");
        return user + ": " + tally + " (" + quota + ")";
    }
}
