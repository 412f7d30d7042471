package dev.ferry.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ferry.security.KeyFiles;
import dev.ferry.server.auth.Passwords;
import dev.ferry.server.auth.UserAccount;

class UsersFileTest {

    private static final String HASH = Passwords.hash("pw".toCharArray());

    @TempDir
    Path dir;
    Path file;
    String keyLine;

    @BeforeEach
    void setUp() throws Exception {
        file = dir.resolve("users.yaml");
        keyLine = KeyFiles.publicKeyLine(KeyUtils.generateKeyPair("ssh-ed25519", 256).getPublic(), "c");
        Files.createDirectories(dir.resolve("data/alice"));
    }

    private String error(String yaml) throws IOException {
        Files.writeString(file, yaml);
        return assertThrows(IOException.class, () -> UsersFile.read(file).toDirectory()).getMessage();
    }

    @Test
    void whatIsWrittenIsReadBack() throws IOException {
        UsersFile users = UsersFile.read(file);
        users.put("alice", UserEntry.of("data/alice").withPassword(HASH).withKey(keyLine).withPolicy(true, "027", true));
        users.put("bob", UserEntry.of("/srv/bob").withKey(keyLine));
        users.write();
        assertEquals(users.users(), UsersFile.read(file).users());
        assertEquals(Optional.of("027"), UsersFile.read(file).get("alice").map(UserEntry::umask));
    }

    @Test
    void theFileIsWrittenPrivateAndWithoutLeftovers() throws IOException {
        UsersFile users = UsersFile.read(file);
        users.put("alice", UserEntry.of("data/alice").withPassword(HASH));
        users.write();
        users.write();
        assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(file));
        try (var list = Files.list(dir)) {
            assertEquals(List.of("data", "users.yaml"), list.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void quotasRatesAndSessionsAreReadWithTheirUnits() throws IOException {
        Files.writeString(file, "users:\n  alice:\n    root: data/alice\n    password: '" + HASH + "'\n"
                + "    quota: {bytes: 10G, files: 1000}\n    bandwidth: {upload: 2M, download: 512K}\n"
                + "    maxSessions: 3\n  bob:\n    root: data/alice\n    password: '" + HASH + "'\n");
        var users = UsersFile.read(file).toDirectory();
        assertEquals(new dev.ferry.server.auth.UserLimits(10L << 30, 1000, 2 << 20, 512 << 10, 3),
                users.find("alice").orElseThrow().limits());
        assertEquals(dev.ferry.server.auth.UserLimits.NONE, users.find("bob").orElseThrow().limits());
    }

    @Test
    void aQuotaThatIsNotASizeIsNamedWithItsUser() throws IOException {
        Files.writeString(file, "users:\n  alice:\n    root: data/alice\n    password: '" + HASH + "'\n"
                + "    quota: {bytes: ten}\n");
        IOException e = assertThrows(IOException.class, () -> UsersFile.read(file).toDirectory());
        assertTrue(e.getMessage().contains("user 'alice': quota.bytes 'ten' is not a size"), e.getMessage());
        Files.writeString(file, "users:\n  alice:\n    root: data/alice\n    quota: {byte: 1G}\n");
        e = assertThrows(IOException.class, () -> UsersFile.read(file));
        assertTrue(e.getMessage().contains("'byte'"), e.getMessage());
    }

    @Test
    void aMissingFileHasNoUsers() throws IOException {
        assertTrue(UsersFile.read(file).users().isEmpty());
        assertTrue(UsersFile.read(file).toDirectory().isEmpty());
    }

    @Test
    void anUnknownSettingIsNamed() throws IOException {
        Files.writeString(file, "users:\n  alice:\n    root: data/alice\n    pasword: x\n");
        IOException e = assertThrows(IOException.class, () -> UsersFile.read(file));
        assertTrue(e.getMessage().contains("'pasword'"), e.getMessage());
    }

    /** Found by UsersFileFuzzTest: the YAML parser's message was five lines, with a caret. */
    @Test
    void aSyntaxErrorIsOneLineWithItsPlace() throws IOException {
        Files.writeString(file, "users:\n  carol:\n    root: data/alice\n    authorizedKeysFile:(keys/carol\n");
        IOException e = assertThrows(IOException.class, () -> UsersFile.read(file));
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        assertTrue(e.getMessage().endsWith("could not find expected ':' (line 5, column 1)"), e.getMessage());
    }

    /** Found by UsersFileFuzzTest: a name in a flow mapping may span lines, and was printed so. */
    @Test
    void namesFromTheFileAreShownOnOneLineWithoutControlCharacters() throws IOException {
        Files.writeString(file, "{users: {\"car\\nol\\e[2J\": {root: data/alice}}}\n");
        String unknownUser = error(Files.readString(file));
        assertTrue(unknownUser.contains("'car\\nol\\u001b[2J'"), unknownUser);
        Files.writeString(file, "{\"user\\ns\": {}}\n");
        IOException unknownSetting = assertThrows(IOException.class, () -> UsersFile.read(file));
        assertTrue(unknownSetting.getMessage().contains("'user\\ns'"), unknownSetting.getMessage());
    }

    @Test
    void anUnknownTopLevelSettingIsNamed() throws IOException {
        Files.writeString(file, "groups: {}\n");
        IOException e = assertThrows(IOException.class, () -> UsersFile.read(file));
        assertTrue(e.getMessage().contains("'groups'"), e.getMessage());
    }

    @Test
    void aUserWithoutARootIsNamed() throws IOException {
        String message = error("users:\n  carol:\n    authorizedKeys: ['" + keyLine + "']\n");
        assertTrue(message.contains("'carol'") && message.contains("root"), message);
    }

    /** Found by UsersFileFuzzTest: a user with nothing under it stopped ferryd with a NullPointerException. */
    @Test
    void aUserWithNothingSetIsNamed() throws IOException {
        String message = error("users:\n  carol:\n");
        assertTrue(message.contains("'carol'") && message.contains("root"), message);
    }

    @Test
    void aPasswordThatIsNotAHashIsRefusedNamingTheUser() throws IOException {
        String message = error("users:\n  dave:\n    root: data/alice\n    password: hunter2\n");
        assertTrue(message.contains("'dave'") && message.contains("password"), message);
        assertFalse(message.contains("hunter2"), "the password itself is not repeated: " + message);
    }

    @Test
    void aUserWhoCannotLogInIsRefusedNamingTheUser() throws IOException {
        String message = error("users:\n  erin:\n    root: data/alice\n");
        assertTrue(message.contains("'erin'"), message);
    }

    @Test
    void aBadUmaskIsRefusedNamingTheUser() throws IOException {
        String message = error("users:\n  frank:\n    root: data/alice\n    password: '" + HASH + "'\n    umask: '999'\n");
        assertTrue(message.contains("'frank'"), message);
    }

    @Test
    void aRelativeRootIsResolvedAgainstTheFilesDirectory() throws IOException {
        Files.writeString(file, "users:\n  alice:\n    root: data/../data/alice\n    password: '" + HASH + "'\n");
        UserAccount alice = UsersFile.read(file).toDirectory().find("alice").orElseThrow();
        assertEquals(dir.toAbsolutePath().resolve("data/alice"), alice.root());
    }

    @Test
    void toDirectoryBuildsAccountsWithTheirPolicy() throws IOException {
        UsersFile users = UsersFile.read(file);
        users.put("alice", UserEntry.of("data/alice").withKey(keyLine).withPolicy(true, "027", null));
        users.put("bob", UserEntry.of(dir.resolve("data/alice").toString()).withPassword(HASH));
        var directory = users.toDirectory();
        UserAccount alice = directory.find("alice").orElseThrow();
        assertEquals(0027, alice.policy().umask());
        assertTrue(alice.policy().readOnly());
        assertEquals(List.of(KeyFiles.parsePublicKey(keyLine)), alice.authorizedKeys());
        UserAccount bob = directory.find("bob").orElseThrow();
        assertEquals(0022, bob.policy().umask());
        assertEquals(Optional.of(HASH), bob.passwordHash());
    }
}
