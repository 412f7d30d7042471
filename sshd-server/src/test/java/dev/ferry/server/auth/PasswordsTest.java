package dev.ferry.server.auth;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class PasswordsTest {

    private static final char[] PASSWORD = "correct horse é".toCharArray();
    private static final String HASH = Passwords.hash(PASSWORD);
    private static final String SALT = "AAAAAAAAAAAAAAAAAAAAAA";

    @Test
    void hashIsAnArgon2idPhcStringWithOwaspParameters() {
        assertTrue(HASH.matches("\\$argon2id\\$v=19\\$m=19456,t=2,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}"), HASH);
    }

    @Test
    void theRightPasswordVerifies() {
        assertTrue(Passwords.verify(PASSWORD, HASH));
    }

    @Test
    void aWrongPasswordDoesNotVerify() {
        assertFalse(Passwords.verify("correct horse e".toCharArray(), HASH));
        assertFalse(Passwords.verify(new char[0], HASH));
    }

    @Test
    void twoHashesOfOnePasswordDifferByTheirSalt() {
        String other = Passwords.hash(PASSWORD);
        assertNotEquals(HASH, other);
        assertTrue(Passwords.verify(PASSWORD, other));
    }

    @Test
    void bcryptHashesFromOtherSystemsVerify() {
        byte[] salt = new byte[16];
        for (int i = 0; i < salt.length; i++) {
            salt[i] = (byte) (i * 7);
        }
        String bcrypt = OpenBSDBCrypt.generate("2b", PASSWORD, salt, 10);
        assertTrue(Passwords.isSupportedHash(bcrypt));
        assertTrue(Passwords.verify(PASSWORD, bcrypt));
        assertFalse(Passwords.verify("wrong".toCharArray(), bcrypt));
    }

    @Test
    void generatedHashesAreSupported() {
        assertTrue(Passwords.isSupportedHash(HASH));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"hunter2", "$argon2i$v=19$m=19456,t=2,p=1$" + SALT + "$" + SALT,
        "$argon2id$v=16$m=19456,t=2,p=1$" + SALT + "$" + SALT, "$1$abc$def", "$2b$10$tooShort"})
    void otherStringsAreNotSupportedHashes(String hash) {
        assertFalse(Passwords.isSupportedHash(hash));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {
        "hunter2",
        "$argon2id$v=19$m=9999999,t=2,p=1$" + SALT + "$" + SALT, // 9.5 GiB
        "$argon2id$v=19$m=19456,t=0,p=1$" + SALT + "$" + SALT,
        "$argon2id$v=19$m=19456,t=2,p=0$" + SALT + "$" + SALT,
        "$argon2id$v=19$m=4,t=2,p=1$" + SALT + "$" + SALT,
        "$argon2id$v=19$m=19456,t=2,p=1$not base64!$" + SALT,
        "$2b$10$!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
        "$2x$10$aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    })
    void malformedHashesAndAbsurdParametersAreRefusedWithoutThrowing(String hash) {
        assertFalse(Passwords.verify(PASSWORD, hash));
    }

    @Test
    void anArgon2idHashWithUndecodableBase64IsRefusedWithoutThrowing() {
        String hash = "$argon2id$v=19$m=19456,t=2,p=1$a$" + SALT;
        assertTrue(Passwords.isSupportedHash(hash));
        assertFalse(Passwords.verify(PASSWORD, hash));
    }

    @Test
    void anArgon2idHashWithATooShortDigestIsRefusedWithoutThrowing() {
        assertFalse(Passwords.verify(PASSWORD, "$argon2id$v=19$m=19456,t=2,p=1$" + SALT + "$AA"));
    }

    @Test
    void aTruncatedBcryptHashIsRefusedWithoutThrowing() {
        assertFalse(Passwords.verify(PASSWORD, "$2b$10$abc"));
        assertFalse(Passwords.verify(PASSWORD, "$2"));
    }
}
