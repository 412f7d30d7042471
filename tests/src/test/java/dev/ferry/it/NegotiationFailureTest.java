package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.ferry.it.support.FerrydFixture;
import dev.ferry.security.AlgorithmPolicy;
import dev.ferry.server.log.ServerEvent;

/**
 * A client whose algorithms do not meet ferryd's is told why in the server's disconnect message:
 * a KEXINIT written by hand (libssh2 1.10's lists: AES-CTR and encrypt-and-MAC SHA-2 only) to the
 * strict profile, and the server's SSH_MSG_DISCONNECT read back in the clear.
 */
class NegotiationFailureTest {

    @RegisterExtension
    static final FerrydFixture strict = new FerrydFixture()
            .algorithms(AlgorithmPolicy.Algorithms.of(AlgorithmPolicy.Profile.STRICT));

    private static void nameList(DataOutputStream out, String list) throws IOException {
        byte[] bytes = list.getBytes(StandardCharsets.US_ASCII);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    /** One unencrypted binary packet (RFC 4253 section 6) around {@code payload}. */
    private static byte[] packet(byte[] payload) throws IOException {
        int padding = 8 - (payload.length + 5) % 8;
        padding += padding < 4 ? 8 : 0;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(1 + payload.length + padding);
        out.writeByte(padding);
        out.write(payload);
        out.write(new byte[padding]);
        return bytes.toByteArray();
    }

    /** The payload of the next packet the server sends in the clear. */
    private static byte[] readPacket(DataInputStream in) throws IOException {
        int length = in.readInt();
        int padding = in.readUnsignedByte();
        byte[] payload = new byte[length - 1 - padding];
        in.readFully(payload);
        in.readFully(new byte[padding]);
        return payload;
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) {
                throw new IOException("closed before a line");
            }
            line.append((char) c);
        }
        return line.toString().strip();
    }

    @Test
    void theServersDisconnectMessageNamesTheListAndWhatWouldAdmitTheClient() throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", strict.port()), 5000);
            socket.setSoTimeout(10_000);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            DataInputStream in = new DataInputStream(socket.getInputStream());
            out.write("SSH-2.0-libssh2_1.10.0\r\n".getBytes(StandardCharsets.US_ASCII));

            ByteArrayOutputStream kexinit = new ByteArrayOutputStream();
            DataOutputStream k = new DataOutputStream(kexinit);
            k.writeByte(20); // SSH_MSG_KEXINIT
            k.write(new byte[16]); // cookie
            nameList(k, "curve25519-sha256,curve25519-sha256@libssh.org");
            nameList(k, "ssh-ed25519");
            for (int i = 0; i < 2; i++) {
                nameList(k, "aes128-ctr,aes256-ctr");
            }
            for (int i = 0; i < 2; i++) {
                nameList(k, "hmac-sha2-256,hmac-sha2-512");
            }
            for (int i = 0; i < 2; i++) {
                nameList(k, "none");
            }
            nameList(k, "");
            nameList(k, "");
            k.writeBoolean(false);
            k.writeInt(0);
            out.write(packet(kexinit.toByteArray()));
            out.flush();

            String ident;
            do {
                ident = readLine(in);
            } while (!ident.startsWith("SSH-"));
            byte[] message;
            do {
                message = readPacket(in);
            } while (message[0] != 1); // skip the server's KEXINIT, up to SSH_MSG_DISCONNECT
            DataInputStream d = new DataInputStream(new ByteArrayInputStream(message, 1, message.length - 1));
            assertEquals(3, d.readInt(), "SSH2_DISCONNECT_KEY_EXCHANGE_FAILED");
            byte[] text = new byte[d.readInt()];
            d.readFully(text);
            String reason = new String(text, StandardCharsets.UTF_8);
            assertTrue(reason.startsWith("ferryd: no "), reason);
            assertTrue(reason.contains("you offered hmac-sha2-256,hmac-sha2-512"), reason);
            assertTrue(reason.contains("(--algorithms=modern would admit it)"), reason);
            assertEquals(1, reason.lines().count(), reason);
        }
        List<ServerEvent.NegotiationFailed> logged = strict.events(ServerEvent.NegotiationFailed.class);
        assertEquals("SSH-2.0-libssh2_1.10.0", logged.get(0).software());
    }
}
