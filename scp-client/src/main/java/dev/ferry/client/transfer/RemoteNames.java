package dev.ferry.client.transfer;

import java.io.IOException;

/**
 * Paths on the server are strings with '/' separators, whatever the local system uses; names a
 * server sends back are checked before they touch the local disk.
 */
final class RemoteNames {

    private RemoteNames() {
    }

    /** {@code dir/name}, without doubling the slash; an empty dir is the login directory. */
    static String join(String dir, String name) {
        if (dir.isEmpty() || dir.equals(".")) {
            return name;
        }
        return dir.endsWith("/") ? dir + name : dir + "/" + name;
    }

    /** The last component of a remote path ("" for "/"). */
    static String baseName(String path) {
        String p = path;
        while (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        int slash = p.lastIndexOf('/');
        return slash < 0 ? p : p.substring(slash + 1);
    }

    /** The directory part of a remote path ("" when there is none). */
    static String parent(String path) {
        int slash = path.lastIndexOf('/');
        if (slash < 0) {
            return "";
        }
        return slash == 0 ? "/" : path.substring(0, slash);
    }

    /**
     * A name from a server's directory listing, refused if it could escape the local target
     * (CVE-2018-20685 and its kin): empty, ".", "..", or containing '/' or NUL.
     */
    static String checkListedName(String name, String where) throws IOException {
        if (name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('/') >= 0
                || name.indexOf('\0') >= 0) {
            throw new IOException("the server listed an invalid name '" + Terminal.safe(name) + "' in "
                    + Terminal.safe(where) + "; refused");
        }
        return name;
    }

    static boolean hasGlob(String path) {
        String base = baseName(path);
        return base.indexOf('*') >= 0 || base.indexOf('?') >= 0 || base.indexOf('[') >= 0;
    }
}
