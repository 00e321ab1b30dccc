package dev.redistls.ssh;

import dev.redistls.host.Host;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

/** One exec channel: the command line, its stdin, then its exit status and output once the channel closes. */
final class Exec {
    /** What came back; {@code exitStatus} is null when the channel closed without one (a signal, a lost connection). */
    record Result(Integer exitStatus, String out, String err, boolean timedOut) {
        Host.Execution execution() {
            return new Host.Execution(exitStatus == null ? -1 : exitStatus, out, err);
        }
    }

    private Exec() {
    }

    static Result run(ClientSession session, String commandLine, byte[] stdin, Duration wait) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (ChannelExec ch = session.createExecChannel(commandLine)) {
            ch.setOut(out);
            ch.setErr(err);
            ch.open().verify(wait);
            try (OutputStream in = ch.getInvertedIn()) {
                if (stdin != null) {
                    in.write(stdin);
                }
            } // closing sends EOF: the program sees the end of its input
            Set<ClientChannelEvent> events = ch.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), wait);
            boolean timedOut = events.contains(ClientChannelEvent.TIMEOUT);
            if (timedOut) {
                ch.close(true);
            }
            return new Result(ch.getExitStatus(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), timedOut);
        }
    }
}
