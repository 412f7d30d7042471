package dev.ferry.server.scp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;

import org.apache.sshd.scp.common.ScpException;
import org.junit.jupiter.api.Test;

class CheckedScpHelperTest {

    private static InputStream limited(byte[] bytes) {
        return new CheckedScpHelper.LineLimit(new ByteArrayInputStream(bytes));
    }

    private static void readBytes(InputStream in, int n) throws IOException {
        for (int i = 0; i < n; i++) {
            in.read();
        }
    }

    @Test
    void aProtocolLineOfTheLimitIsRead() throws IOException {
        InputStream in = limited(("C0644 5 " + "a".repeat(CheckedScpHelper.MAX_LINE - 8) + "\n").getBytes());
        readBytes(in, CheckedScpHelper.MAX_LINE + 1);
        assertEquals(-1, in.read());
    }

    @Test
    void aProtocolLineLongerThanTheLimitFailsAtTheLimit() throws IOException {
        InputStream in = limited(new byte[CheckedScpHelper.MAX_LINE + 100]);
        readBytes(in, CheckedScpHelper.MAX_LINE);
        ScpException e = assertThrows(ScpException.class, in::read);
        assertEquals("protocol line longer than " + CheckedScpHelper.MAX_LINE + " bytes", e.getMessage());
    }

    @Test
    void eachNewlineStartsTheCountAgain() throws IOException {
        byte[] lines = ("x".repeat(CheckedScpHelper.MAX_LINE - 1) + "\n").repeat(5).getBytes();
        InputStream in = limited(lines);
        readBytes(in, lines.length);
        assertEquals(-1, in.read());
    }

    /** File data is read in blocks, and may run for gigabytes without a newline. */
    @Test
    void fileDataReadInBlocksIsNotALine() throws IOException {
        byte[] data = new byte[CheckedScpHelper.MAX_LINE * 4];
        InputStream in = limited(data);
        readBytes(in, CheckedScpHelper.MAX_LINE - 1);
        byte[] block = new byte[2 * CheckedScpHelper.MAX_LINE];
        assertEquals(block.length, in.readNBytes(block, 0, block.length));
        readBytes(in, CheckedScpHelper.MAX_LINE); // no newline since the block: still no line too long
        assertArrayEquals(new byte[1], in.readAllBytes());
    }
}
