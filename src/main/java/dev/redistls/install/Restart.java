package dev.redistls.install;

import dev.redistls.RedisTlsException;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/** The fallback for a node that cannot take a change live: the operator's own restart command, run once. */
final class Restart {
    private Restart() {
    }

    static void run(String command) {
        try {
            Process p = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw RedisTlsException.failed("restart command did not finish within 120 s: " + command);
            }
            if (p.exitValue() != 0) {
                throw RedisTlsException.failed("restart command exited with " + p.exitValue() + ": " + command);
            }
        } catch (IOException e) {
            throw RedisTlsException.failed("cannot run restart command: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw RedisTlsException.failed("interrupted while restarting");
        }
    }
}
