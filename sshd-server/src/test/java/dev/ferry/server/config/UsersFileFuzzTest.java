package dev.ferry.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of the users file as ferryd reads it at start ({@code UsersFile.read}
 * and {@code toDirectory}: the YAML, then each user's root, password hash, keys and policy). The
 * file is the administrator's, but it is written by hand and by {@code ferryd user}. For every
 * input:
 * <ul>
 * <li>the only failure is an {@link IOException} whose message is one line (ferryd prints it as
 *     its one sentence before it exits);</li>
 * <li>a file that reads is written back by {@code UsersFile.write} (what {@code ferryd user add}
 *     does to it) as a file that reads as the same users.</li>
 * </ul>
 * Seeds: {@code UsersFileFuzzTestInputs/}, users files of each shape (password, keys, policy).
 */
class UsersFileFuzzTest {

    @TempDir
    static Path dir;
    static Path file;

    @BeforeAll
    static void roots() throws IOException {
        // The roots the seeds name, relative to the file's directory.
        Files.createDirectories(dir.resolve("data/alice"));
        Files.createDirectories(dir.resolve("data/bob"));
        file = dir.resolve("users.yaml");
    }

    @FuzzTest
    void aUsersFileIsReadOrRefusedInOneLine(byte[] input) throws IOException {
        Files.write(file, input);
        UsersFile users;
        try {
            users = UsersFile.read(file);
            users.toDirectory();
        } catch (IOException refused) {
            String message = refused.getMessage();
            assertTrue(message != null && !message.isBlank() && message.lines().count() == 1,
                    () -> "not one line: " + message);
            return;
        }
        users.write();
        assertEquals(users.users(), UsersFile.read(file).users(), () -> "written back differently: " + read(file));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
