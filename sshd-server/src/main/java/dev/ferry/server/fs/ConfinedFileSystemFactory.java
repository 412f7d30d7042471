package dev.ferry.server.fs;

import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;

import org.apache.sshd.common.file.FileSystemFactory;
import org.apache.sshd.common.session.SessionContext;

import dev.ferry.fs.SpaceAccount;

/** Gives each session the confined view of its user's root, with that user's policy. */
public final class ConfinedFileSystemFactory implements FileSystemFactory {

    /**
     * What the factory needs to know of the session's user.
     *
     * @param space what the user's changes are counted in (their quota)
     */
    public record Confinement(Path root, FsPolicy policy, SpaceAccount space) {
        public Confinement(Path root, FsPolicy policy) {
            this(root, policy, SpaceAccount.UNLIMITED);
        }
    }

    private final Function<SessionContext, Confinement> resolver;

    /** @param resolver the root and policy of the session's user (authentication has succeeded) */
    public ConfinedFileSystemFactory(Function<SessionContext, Confinement> resolver) {
        this.resolver = resolver;
    }

    @Override
    public Path getUserHomeDir(SessionContext session) {
        return resolver.apply(session).root();
    }

    @Override
    public FileSystem createFileSystem(SessionContext session) throws IOException {
        Confinement c = resolver.apply(session);
        if (c == null) {
            throw new IOException("no root for user " + session.getUsername());
        }
        if (!Files.isDirectory(c.root())) {
            throw new IOException("the root of user " + session.getUsername() + " is not a directory");
        }
        return new ConfinedFileSystemProvider(c.policy(), c.space()).newFileSystem(c.root());
    }
}
