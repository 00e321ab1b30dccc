package dev.redistls.ssh;

import dev.redistls.RedisTlsException;
import dev.redistls.host.HostLock;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.function.Consumer;

/**
 * One writer per node on a host over SSH: util-linux {@code flock} on {@code /run/redis-tls/<key>.lock} (a 0700
 * root directory) held by a program that lives exactly as long as an exec channel: it reads its stdin until the
 * channel closes. Closing the lock closes the channel; a dead connection closes it too, so a killed run never leaves
 * the node locked. The holder writes who it is into the file, so that a waiter can say whom it waits for.
 */
final class SshLock implements HostLock {
    private static final Duration OPEN = Duration.ofSeconds(20);

    // $1 lock file name, $2 who holds it, $3 "wait" or "nowait". Prints "busy WHO" when another holds it (then,
    // waiting, blocks), "locked" once held, "baddir ..." when the directory is not the tool's alone.
    private static final String SCRIPT = String.join("\n",
            "u=$(id -u); if [ \"$u\" = 0 ]; then d=/run/redis-tls; else d=\"${TMPDIR:-/tmp}/redis-tls-$u\"; fi",
            "[ -e \"$d\" ] || [ -L \"$d\" ] || mkdir -m 0700 \"$d\" 2>/dev/null",
            "if [ -L \"$d\" ] || [ ! -d \"$d\" ] || [ \"$(stat -c '%u %a' \"$d\")\" != \"$u 700\" ]; then",
            "  echo \"baddir $d $(stat -c 'mode %a, uid %u' \"$d\" 2>&1)\"; exit 3; fi",
            "f=\"$d/$1\"; hold='printf \"%s\\n\" \"$1\" > \"$0\"; echo locked; exec cat >/dev/null'",
            "flock -n -E 75 \"$f\" sh -c \"$hold\" \"$f\" \"$2\"; rc=$?",
            "[ $rc = 75 ] || exit $rc",
            "echo \"busy $(head -c 200 \"$f\" 2>/dev/null)\"",
            "[ \"$3\" = wait ] || exit 75",
            "exec flock \"$f\" sh -c \"$hold\" \"$f\" \"$2\"");

    private final ChannelExec channel;

    private SshLock(ChannelExec channel) {
        this.channel = channel;
    }

    static HostLock take(SshHost host, String key, boolean wait, Consumer<String> waiting) throws IOException {
        String who = "redis-tls pid " + ProcessHandle.current().pid() + " on " + localName();
        String line = RemoteCommand.of(List.of("sh", "-c", SCRIPT, "sh", HostLock.fileName(key), who, wait ? "wait" : "nowait"), host.sudo());
        ChannelExec ch;
        try {
            ch = host.session().createExecChannel(line);
            ch.setRedirectErrorStream(true);
            ch.open().verify(OPEN);
        } catch (IOException | RuntimeException e) {
            if (!host.connected()) {
                throw host.lost("while taking the lock on " + key, e);
            }
            throw new IOException("cannot take the lock on " + key + " on " + host.name() + ": " + Messages.oneLine(e), e);
        }
        boolean held = false;
        try {
            BufferedReader in = new BufferedReader(new InputStreamReader(ch.getInvertedOut(), StandardCharsets.UTF_8));
            String l;
            StringBuilder other = new StringBuilder();
            while ((l = in.readLine()) != null) {
                if (l.equals("locked")) {
                    held = true;
                    return new SshLock(ch);
                }
                if (l.startsWith("busy")) {
                    String holder = l.substring(4).trim();
                    String message = (holder.isEmpty() ? "another redis-tls" : "another redis-tls (" + holder + ")")
                            + " is changing " + key + " on " + host.name();
                    if (!wait) {
                        throw new Busy(message + "; try again when it is done");
                    }
                    waiting.accept(message + "; waiting for it (--no-wait fails instead)");
                } else if (l.startsWith("baddir ")) {
                    throw RedisTlsException.failed("the lock directory on " + host.name() + " must be root's alone, mode 0700 ("
                            + l.substring(7) + "): remove it, redis-tls makes it again");
                } else if (other.length() < 500) {
                    other.append(l).append(' ');
                }
            }
            ch.waitFor(EnumSet.of(ClientChannelEvent.EXIT_STATUS, ClientChannelEvent.CLOSED), OPEN);
            if (!host.connected()) {
                throw host.lost("while taking the lock on " + key, null);
            }
            if (other.toString().contains(RemoteCommand.SUDO_PASSWORD)) {
                throw RedisTlsException.failed("sudo on " + host.name() + " asks for a password; give the user passwordless sudo or log in as root");
            }
            throw new IOException("cannot take the lock on " + key + " on " + host.name() + " (util-linux flock is needed there): "
                    + (other.isEmpty() ? "exit " + ch.getExitStatus() : other.toString().trim()));
        } finally {
            if (!held) {
                ch.close(true);
            }
        }
    }

    private static String localName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "the admin machine";
        }
    }

    @Override
    public void close() {
        try {
            channel.getInvertedIn().close(); // EOF: cat ends, flock releases
        } catch (IOException ignored) {
            // closing the channel below ends it as well
        }
        channel.close(false);
    }
}
