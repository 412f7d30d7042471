package dev.ferry.server;

import java.security.KeyPair;
import java.time.Clock;

import dev.ferry.server.auth.Limits;
import dev.ferry.server.auth.UserDirectory;
import dev.ferry.server.log.EventSink;

/** Everything a {@link FerryServer} is made from; built by {@link FerryServer.Builder}. */
public record ServerConfig(String host, int port, KeyPair hostKey, UserDirectory users, Limits limits,
        EventSink events, Clock clock, int sftpMaxRead, int scpBufferSize) {

    /** OpenSSH's sftp asks for up to 256 KiB when the server's limits@openssh.com allows it. */
    public static final int DEFAULT_SFTP_MAX_READ = 256 * 1024;
    public static final int DEFAULT_SCP_BUFFER = 256 * 1024;
}
