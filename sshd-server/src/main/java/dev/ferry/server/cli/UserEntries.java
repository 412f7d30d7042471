package dev.ferry.server.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import dev.ferry.server.auth.UserAccount;
import dev.ferry.server.config.UserEntry;
import dev.ferry.server.config.UsersFile;
import dev.ferry.server.postgres.PostgresUsers;

/** Where {@code ferryd user} keeps the users: the users file, or the database given by {@code --database}. */
interface UserEntries extends AutoCloseable {

    /** The file or database, for messages. */
    String where();

    Optional<UserEntry> get(String name) throws IOException;

    Map<String, UserEntry> all() throws IOException;

    /** Adds {@code name}, who must not exist yet. */
    void add(String name, UserEntry entry) throws IOException;

    /** Replaces {@code name}'s entry, which must exist. */
    void replace(String name, UserEntry entry) throws IOException;

    boolean remove(String name) throws IOException;

    /** The account {@code entry} describes, checked as ferryd would at a login. */
    UserAccount account(String name, UserEntry entry) throws IOException;

    @Override
    void close();

    static UserEntries open(StateOptions state) throws IOException {
        Optional<String> database = state.database();
        return database.isPresent() ? new Database(PostgresUsers.open(database.get())) : new File(state.usersFile());
    }

    /** The users file, read again and written back atomically at each change. */
    record File(Path file) implements UserEntries {
        public String where() {
            return file.toString();
        }

        public Optional<UserEntry> get(String name) throws IOException {
            return UsersFile.read(file).get(name);
        }

        public Map<String, UserEntry> all() throws IOException {
            return UsersFile.read(file).users();
        }

        public void add(String name, UserEntry entry) throws IOException {
            UsersFile users = UsersFile.read(file);
            if (users.get(name).isPresent()) {
                throw new IOException("user '" + name + "' already exists in " + file);
            }
            users.put(name, entry);
            users.write();
        }

        public void replace(String name, UserEntry entry) throws IOException {
            UsersFile users = UsersFile.read(file);
            users.put(name, entry);
            users.write();
        }

        public boolean remove(String name) throws IOException {
            UsersFile users = UsersFile.read(file);
            if (!users.remove(name)) {
                return false;
            }
            users.write();
            return true;
        }

        public UserAccount account(String name, UserEntry entry) throws IOException {
            return UsersFile.toAccount(file + ": user '" + name + "'", file.toAbsolutePath().getParent(),
                    name, entry);
        }

        public void close() {
        }
    }

    /** The database: each change one statement, seen by every ferryd at its user's next login. */
    record Database(PostgresUsers db) implements UserEntries {
        public String where() {
            return db.where();
        }

        public Optional<UserEntry> get(String name) throws IOException {
            return db.entry(name);
        }

        public Map<String, UserEntry> all() throws IOException {
            return db.entries();
        }

        public void add(String name, UserEntry entry) throws IOException {
            db.put(name, entry, true);
        }

        public void replace(String name, UserEntry entry) throws IOException {
            db.put(name, entry, false);
        }

        public boolean remove(String name) throws IOException {
            return db.remove(name);
        }

        public UserAccount account(String name, UserEntry entry) throws IOException {
            return db.toAccount(name, entry);
        }

        public void close() {
            db.close();
        }
    }
}
