package dev.redistls.metrics;

import dev.redistls.RedisTlsException;
import dev.redistls.files.FileBatch;
import dev.redistls.files.FileModes;
import dev.redistls.files.FileOwner;
import dev.redistls.host.LocalHost;

import java.nio.file.Path;

/**
 * Metrics written for node_exporter's textfile collector, on this machine: through {@link FileBatch}, so the file is
 * replaced by one rename and the collector never reads half of it. The staging directory the batch makes beside it
 * is not a {@code *.prom} file, so the collector never reads that either.
 */
public final class MetricsFile {
    private MetricsFile() {
    }

    /** Refuses, before any work, a name the collector would never read. */
    public static Path check(Path file) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString();
        if (!name.endsWith(".prom")) {
            throw RedisTlsException.badInput("--output " + file + ": node_exporter's textfile collector reads only files"
                    + " named *.prom; name it so (e.g. /var/lib/prometheus/node-exporter/redis-tls.prom)");
        }
        return file;
    }

    /** Replaces {@code file} (mode 0644) with {@code text}. */
    public static void write(Path file, byte[] text) {
        check(file);
        LocalHost here = new LocalHost();
        new FileBatch(here, false).write(file, text, FileModes.PUBLIC, FileOwner.current(here)).commit();
    }
}
