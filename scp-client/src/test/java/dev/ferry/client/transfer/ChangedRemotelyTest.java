package dev.ferry.client.transfer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.attribute.FileTime;

import org.apache.sshd.sftp.client.SftpClient.Attributes;
import org.junit.jupiter.api.Test;

/** How a download tells that the remote file changed while it was read (SFTP v3: size, seconds). */
class ChangedRemotelyTest {

    private static Attributes attrs(long size, long millis) {
        Attributes a = new Attributes();
        a.setSize(size);
        a.setModifyTime(FileTime.fromMillis(millis));
        return a;
    }

    @Test
    void theSameSizeAndSecondIsUnchangedThoughTheListingHadMilliseconds() {
        assertFalse(SftpCopier.changedRemotely(attrs(10, 5_250), 10, attrs(10, 5_000)));
    }

    @Test
    void aNewSizeATimeOrFewerBytesReadAreAChange() {
        assertTrue(SftpCopier.changedRemotely(attrs(10, 5_000), 10, attrs(11, 5_000)));
        assertTrue(SftpCopier.changedRemotely(attrs(10, 5_000), 10, attrs(10, 7_000)));
        assertTrue(SftpCopier.changedRemotely(attrs(10, 5_000), 9, attrs(10, 5_000)));
        assertTrue(SftpCopier.changedRemotely(attrs(10, 5_000), 11, null));
    }

    @Test
    void whatTheServerDidNotSayCountsAsUnchanged() {
        assertFalse(SftpCopier.changedRemotely(attrs(10, 5_000), 10, null));
        assertFalse(SftpCopier.changedRemotely(attrs(10, 5_000), 10, new Attributes()));
    }
}
