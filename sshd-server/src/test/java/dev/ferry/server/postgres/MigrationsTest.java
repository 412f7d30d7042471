package dev.ferry.server.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

class MigrationsTest {

    @Test
    void everyMigrationFileIsListedOnceInOrderStartingAtVersionOne() throws Exception {
        List<Migrations.Migration> shipped = Migrations.shipped();
        assertFalse(shipped.isEmpty());
        for (int i = 0; i < shipped.size(); i++) {
            assertEquals(i + 1, shipped.get(i).version(), "versions are 1, 2, 3... with no gap: " + shipped);
            assertFalse(shipped.get(i).sql().isBlank(), shipped.get(i).name());
        }
        // A file added without its line in index.txt would never be applied.
        try (Stream<Path> files = Files.list(Path.of("src/main/resources/db/migration"))) {
            List<String> sql = files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".sql")).sorted()
                    .toList();
            assertEquals(sql, shipped.stream().map(Migrations.Migration::name).sorted().toList());
        }
    }

    @Test
    void theDriversMessageIsShownRatherThanThePoolsWrappingOfIt() {
        Exception pool = new java.sql.SQLTransientConnectionException("ferryd-users - Connection is not available",
                null, new java.sql.SQLException("Connection to 127.0.0.1:5432 refused.\nCheck that the hostname",
                        new java.net.ConnectException("Connection refused")));
        assertEquals("Connection to 127.0.0.1:5432 refused.", PostgresUsers.rootMessage(pool));
    }
}
