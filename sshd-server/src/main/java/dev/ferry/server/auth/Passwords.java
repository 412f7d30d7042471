package dev.ferry.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Password hashes in the PHC string format that other tools read: {@code $argon2id$v=19$m=..,t=..,p=..$salt$hash}.
 * New hashes are Argon2id with OWASP's parameters (19 MiB, 2 passes, 1 lane); bcrypt hashes
 * ({@code $2a$}, {@code $2b$}, {@code $2y$}) from other systems are verified too.
 */
public final class Passwords {

    private static final int MEMORY_KIB = 19 * 1024;
    private static final int ITERATIONS = 2;
    private static final int PARALLELISM = 1;
    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 32;
    private static final Pattern ARGON2ID = Pattern.compile(
            "\\$argon2id\\$v=19\\$m=(\\d{1,7}),t=(\\d{1,3}),p=(\\d{1,3})\\$([A-Za-z0-9+/]+)\\$([A-Za-z0-9+/]+)");
    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getDecoder();
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Checked against when the user is unknown, so that unknown users cost the same time as known ones. */
    private static final String DUMMY = hash("not a password".toCharArray());

    private Passwords() {
    }

    /** A new Argon2id hash of {@code password} with a random salt. */
    public static String hash(char[] password) {
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        byte[] out = argon2id(password, salt, MEMORY_KIB, ITERATIONS, PARALLELISM, HASH_BYTES);
        return "$argon2id$v=19$m=" + MEMORY_KIB + ",t=" + ITERATIONS + ",p=" + PARALLELISM
                + "$" + B64.encodeToString(salt) + "$" + B64.encodeToString(out);
    }

    /** Whether {@code hash} is a hash this class can verify. */
    public static boolean isSupportedHash(String hash) {
        return hash != null && (ARGON2ID.matcher(hash).matches() || hash.matches("\\$2[aby]\\$\\d\\d\\$.{53}"));
    }

    /** Whether {@code password} matches {@code hash}; false for an unsupported or malformed hash. */
    public static boolean verify(char[] password, String hash) {
        try {
            return verifyOrThrow(password, hash);
        } catch (RuntimeException e) {
            return false; // a malformed hash (bad base64, too short, truncated bcrypt) matches nothing
        }
    }

    private static boolean verifyOrThrow(char[] password, String hash) {
        if (hash == null) {
            return false;
        }
        Matcher m = ARGON2ID.matcher(hash);
        if (m.matches()) {
            int memory = Integer.parseInt(m.group(1));
            int iterations = Integer.parseInt(m.group(2));
            int lanes = Integer.parseInt(m.group(3));
            if (memory > 1024 * 1024 || iterations < 1 || iterations > 16 || lanes < 1 || lanes > 16
                    || memory < 8 * lanes) {
                return false; // a hash that would cost more than 1 GiB or 16 passes, or that Argon2 forbids
            }
            byte[] salt = B64D.decode(m.group(4));
            byte[] expected = B64D.decode(m.group(5));
            byte[] actual = argon2id(password, salt, memory, iterations, lanes, expected.length);
            return MessageDigest.isEqual(expected, actual);
        }
        if (hash.startsWith("$2")) {
            try {
                return OpenBSDBCrypt.checkPassword(hash, password);
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
        return false;
    }

    /** Spends the time of one verification, for a user that does not exist or has no password. */
    public static void verifyDummy(char[] password) {
        verify(password, DUMMY);
    }

    private static byte[] argon2id(char[] password, byte[] salt, int memoryKib, int iterations, int lanes, int length) {
        Argon2Parameters params = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(memoryKib)
                .withIterations(iterations)
                .withParallelism(lanes)
                .withSalt(salt)
                .build();
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(params);
        byte[] out = new byte[length];
        byte[] pw = new String(password).getBytes(StandardCharsets.UTF_8);
        generator.generateBytes(pw, out);
        Arrays.fill(pw, (byte) 0);
        return out;
    }
}
