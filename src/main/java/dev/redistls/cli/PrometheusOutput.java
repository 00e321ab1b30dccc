package dev.redistls.cli;

import dev.redistls.RedisTlsException;
import dev.redistls.metrics.MetricsFile;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** {@code --format prometheus [--output FILE]} of {@code status} and {@code group status}: checked, then written. */
final class PrometheusOutput {
    private PrometheusOutput() {
    }

    /** Whether metrics were asked for; refuses bad combinations before anything is read, and an unwritable FILE. */
    static boolean requested(String format, boolean json, Path output) {
        boolean prometheus = format != null;
        if (prometheus && !"prometheus".equalsIgnoreCase(format)) {
            throw RedisTlsException.badInput("unknown --format '" + format + "': the one format is prometheus (or --json)");
        }
        if (prometheus && json) {
            throw RedisTlsException.badInput("--json and --format prometheus exclude each other");
        }
        if (output != null && !prometheus) {
            throw RedisTlsException.badInput("--output goes with --format prometheus");
        }
        if (output != null) {
            MetricsFile.check(output);
        }
        return prometheus;
    }

    /** Prints the metrics, or replaces {@code output} with them atomically. */
    static void write(PrintWriter out, Path output, byte[] text) {
        if (output == null) {
            out.print(new String(text, StandardCharsets.UTF_8));
            out.flush();
        } else {
            MetricsFile.write(output, text);
        }
    }
}
