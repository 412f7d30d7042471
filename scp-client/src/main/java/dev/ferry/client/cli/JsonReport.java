package dev.ferry.client.cli;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.ferry.client.transfer.TransferListener;

/** {@code --json}: one object per file on stdout, written when the file is done. */
final class JsonReport implements TransferListener {

    private final PrintStream out;

    JsonReport(PrintStream out) {
        this.out = out;
    }

    @Override
    public void finished(FileTransfer transfer, long bytes, double seconds, Throwable error) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("source", transfer.source());
        line.put("target", transfer.target());
        line.put("bytes", bytes);
        line.put("seconds", Math.round(seconds * 1000) / 1000.0);
        line.put("MBps", seconds > 0 ? Math.round(bytes / seconds / 1e4) / 100.0 : 0.0);
        line.put("protocol", transfer.protocol());
        line.put("ok", error == null);
        if (error != null) {
            line.put("error", String.valueOf(error.getMessage()));
        }
        out.println(Json.line(line));
        out.flush();
    }
}
