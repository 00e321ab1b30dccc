package dev.redistls.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code openssl s_client} as an independent judge: it connects, sends Redis commands, and shows whether the server
 * asked for a client certificate and whether Redis answered. The answer is what counts: in TLS 1.3 the client's
 * handshake completes before the server has judged the client certificate, so a refused client still "connects".
 */
public final class SClient {
    private static final Pattern CIPHER = Pattern.compile("Cipher is (\\S+)");

    private SClient() {
    }

    /** What one connection showed. */
    public record Session(String output) {
        /** Whether Redis replied to a command at all ({@code +PONG}, or {@code -NOAUTH} without a password). */
        public boolean redisAnswered() {
            return output.lines().anyMatch(l -> l.startsWith("+PONG") || l.startsWith("-NOAUTH"));
        }

        public boolean pong() {
            return output.lines().anyMatch(l -> l.startsWith("+PONG"));
        }

        /** Whether the server sent a CertificateRequest (it asked the client for a certificate). */
        public boolean certificateRequested() {
            return output.contains(", CertificateRequest");
        }

        /** The negotiated suite, or "(NONE)". */
        public String cipher() {
            Matcher m = CIPHER.matcher(output);
            return m.find() ? m.group(1) : "(NONE)";
        }

        /** The output without the hex dumps of {@code -msg}, for assertion messages. */
        public String summary() {
            return output.lines().filter(l -> !l.startsWith("    ") && !l.startsWith(">>> ") && !l.startsWith("<<< ")
                            || l.contains("CertificateRequest") || l.contains("Alert"))
                    .reduce("", (a, b) -> a + b + "\n");
        }
    }

    /**
     * Connects to {@code 127.0.0.1:port} with {@code options} (s_client's own), sends {@code stdin} (Redis commands
     * ending in QUIT, so that Redis closes and s_client ends), and returns what it showed. Secrets go in through
     * stdin, never argv. {@code timeout} ends a connection nobody closes, so that a wrong answer fails instead of hanging.
     */
    public static Session talk(int port, String stdin, List<String> options) {
        List<String> command = new ArrayList<>(List.of("timeout", "20", "openssl", "s_client", "-connect", "127.0.0.1:" + port,
                "-ign_eof", "-msg"));
        command.addAll(options);
        return new Session(Processes.run(stdin, command).out());
    }
}
