package dev.ferry.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;

import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.SshException;
import org.junit.jupiter.api.Test;

class ConnectionLogTest {

    @Test
    void aFailureIsDescribedByItsOwnMessage() {
        assertEquals("Connection reset", ConnectionLog.describe(new IOException("Connection reset")));
    }

    /** MINA throws an invalid packet length wrapped in an exception that names only the disconnect code. */
    @Test
    void aWrapperNamingOnlyTheDisconnectCodeIsDescribedByWhatItWraps() {
        SshException cause = new SshException(SshConstants.SSH2_DISCONNECT_PROTOCOL_ERROR, "Invalid packet length: 0");
        assertEquals("Invalid packet length: 0", ConnectionLog.describe(
                new SshException(SshConstants.SSH2_DISCONNECT_PROTOCOL_ERROR, cause)));
        assertEquals("Invalid packet length: 0", ConnectionLog.describe(
                new IOException("SSH2_DISCONNECT_PROTOCOL_ERROR", cause)));
    }
}
