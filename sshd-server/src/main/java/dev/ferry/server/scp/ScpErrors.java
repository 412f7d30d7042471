package dev.ferry.server.scp;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

import dev.ferry.fs.QuotaExceededException;

/** Turns a failure into the one sentence an scp client prints (it shows it after "scp: "). */
final class ScpErrors {

    private ScpErrors() {
    }

    static String describe(Throwable e) {
        QuotaExceededException q = QuotaExceededException.in(e);
        if (q != null) { // "scp: /dir/f: quota exceeded: 10 GiB for alice"
            return q.path() + ": " + q.getMessage();
        }
        if (e instanceof FileSystemException fse) {
            String file = fse.getFile() == null ? "" : fse.getFile();
            if (e instanceof NoSuchFileException) {
                return file + ": No such file or directory";
            }
            if (e instanceof AccessDeniedException) {
                return file + ": Permission denied" + (fse.getReason() == null ? "" : " (" + fse.getReason() + ")");
            }
            if (e instanceof NotDirectoryException) {
                return file + ": Not a directory";
            }
            if (e instanceof FileAlreadyExistsException) {
                return file + ": File exists";
            }
            return file + ": " + (fse.getReason() == null ? e.getClass().getSimpleName() : fse.getReason());
        }
        if (e instanceof InvalidPathException ipe) {
            return ipe.getInput() + ": invalid name";
        }
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message.strip();
    }
}
