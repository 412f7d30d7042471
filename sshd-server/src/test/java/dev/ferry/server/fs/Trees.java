package dev.ferry.server.fs;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/** Real directory trees as the fuzz tests that guard a root compare and reset them. */
public final class Trees {

    private Trees() {
    }

    /**
     * Every entry under {@code top}, links not followed, but {@code except} (may be null) and
     * {@code top} itself (whose mtime moves as a root beside is made again): its kind, size, mode,
     * mtime, and a file's content digest or a link's target.
     */
    public static Map<String, String> snapshot(Path top, Path except) throws IOException {
        Map<String, String> entries = new TreeMap<>();
        Files.walkFileTree(top, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) throws IOException {
                if (dir.equals(except)) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                if (!dir.equals(top)) {
                    entries.put(top.relativize(dir).toString(), describe(dir));
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                if (!file.equals(except)) {
                    entries.put(top.relativize(file).toString(), describe(file));
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return entries;
    }

    private static String describe(Path p) throws IOException {
        PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        String what = a.isSymbolicLink() ? "link to " + Files.readSymbolicLink(p)
                : a.isRegularFile() ? "file " + a.size() + " " + digest(Files.readAllBytes(p))
                : a.isDirectory() ? "dir" : "other";
        return what + " " + PosixFilePermissions.toString(a.permissions()) + " " + a.lastModifiedTime().toMillis();
    }

    private static String digest(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Deletes {@code top} without following its links; a directory made unreadable is opened up first. */
    public static void delete(Path top) throws IOException {
        Files.walkFileTree(top, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) throws IOException {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
