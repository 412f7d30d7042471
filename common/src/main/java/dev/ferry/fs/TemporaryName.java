package dev.ferry.fs;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The hidden name a file is written under beside its target before it is renamed into place:
 * {@code .NAME} and a suffix that says what it is. A name may be as long as the file system allows
 * (255 bytes on Linux, macOS and the rest), and the temporary one is longer than the name, so a
 * long name is cut and a digest of the whole name put in its place: the temporary name stays
 * within the limit, the same for the same name (a resumed copy finds its partial file), and
 * different for two long names that share their beginning.
 */
public final class TemporaryName {

    /** The longest name, in bytes of UTF-8, that common file systems take (NAME_MAX). */
    public static final int MAX_NAME_BYTES = 255;

    /** Hex digits of the whole name's digest kept in a cut name. */
    private static final int DIGEST_HEX = 16;

    /** The suffix of a client's partial file ({@code ferry cp}), which a later run may resume. */
    public static final String PARTIAL = ".ferry-part";

    /**
     * The temporaries a writer makes for itself and nobody resumes: {@code .NAME.ferry-delta-HEX}
     * (the delta subsystem), {@code .NAME.ferry-sftp-HEX} (ferryd's SFTP uploads),
     * {@code .ferry-upload-HEX.part} (SCP uploads; older ones had decimal digits).
     */
    private static final Pattern DISPOSABLE = Pattern.compile(
            "\\..+\\.ferry-(delta|sftp)-[0-9a-f]{8}|\\.ferry-upload-[0-9a-f]+\\.part", Pattern.DOTALL);

    private static final SecureRandom RANDOM = new SecureRandom();

    private TemporaryName() {
    }

    /** {@code "." + name + suffix}, with {@code name} cut if the whole would exceed {@link #MAX_NAME_BYTES}. */
    public static String of(String name, String suffix) {
        int room = MAX_NAME_BYTES - 1 - utf8Length(suffix);
        if (utf8Length(name) <= room) {
            return "." + name + suffix;
        }
        String mark = "~" + digest(name);
        return "." + prefix(name, room - mark.length()) + mark + suffix;
    }

    /**
     * A fresh disposable temporary for {@code name}: {@code .NAME.ferry-KIND-XXXXXXXX} (eight random
     * hex digits, so that two writers of one name never meet), cut as {@link #of} cuts.
     */
    public static String random(String name, String kind) {
        byte[] r = new byte[4];
        RANDOM.nextBytes(r);
        return of(name, ".ferry-" + kind + "-" + HexFormat.of().formatHex(r));
    }

    /** Sixteen random hex digits, for a temporary name that need not carry its target's. */
    public static String randomHex() {
        byte[] r = new byte[8];
        RANDOM.nextBytes(r);
        return HexFormat.of().formatHex(r);
    }

    /**
     * Whether {@code fileName} has the shape of a temporary its writer makes and deletes itself
     * (never of a client's resumable {@link #PARTIAL} file): only such a name is removed when a
     * server finds it left behind by a crash.
     */
    public static boolean isDisposable(String fileName) {
        return DISPOSABLE.matcher(fileName).matches();
    }

    /** Whether {@code fileName} is any temporary Ferry writes: disposable, or a client's partial file. */
    public static boolean isTemporary(String fileName) {
        return isDisposable(fileName) || fileName.startsWith(".") && fileName.endsWith(PARTIAL);
    }

    /** The longest beginning of {@code name} of at most {@code bytes} UTF-8 bytes, never half a character. */
    private static String prefix(String name, int bytes) {
        int used = 0;
        int i = 0;
        while (i < name.length()) {
            int cp = name.codePointAt(i);
            int size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (used + size > bytes) {
                break;
            }
            used += size;
            i += Character.charCount(cp);
        }
        return name.substring(0, i);
    }

    private static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static String digest(String name) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d).substring(0, DIGEST_HEX);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
