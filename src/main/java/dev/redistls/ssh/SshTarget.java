package dev.redistls.ssh;

import dev.redistls.RedisTlsException;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where {@code --host} points: {@code [user@]name[:port]}, an IPv6 address in brackets ({@code admin@[fd00::2]:2222}).
 * The name may be an alias of the SSH config; user and port, when given, win over the config's, as with {@code ssh}.
 */
public record SshTarget(Optional<String> user, String name, int port) {
    /** No port given: the config's Port, else 22. */
    public static final int NO_PORT = 0;

    // POSIX portable user names; host names and config aliases (letters, digits, dot, dash, underscore).
    private static final Pattern FORM = Pattern.compile(
            "(?:(?<user>[A-Za-z0-9._][A-Za-z0-9._-]*)@)?(?:\\[(?<v6>[0-9A-Fa-f:.%A-Za-z]+)]|(?<name>[A-Za-z0-9_][A-Za-z0-9._-]*))(?::(?<port>[0-9]{1,5}))?");

    public SshTarget {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port);
        }
    }

    public static SshTarget parse(String text) {
        String t = text == null ? "" : text.trim();
        if (t.isEmpty()) {
            throw bad(text, "give [user@]name[:port]");
        }
        Matcher m = FORM.matcher(t);
        if (!m.matches()) {
            if (t.chars().filter(c -> c == ':').count() > 1 && !t.contains("[")) {
                throw bad(text, "write an IPv6 address in brackets, as in [" + t + "] or [" + t + "]:22");
            }
            throw bad(text, "give [user@]name[:port], for example admin@redis1 or admin@[fd00::2]:2222");
        }
        int port = NO_PORT;
        if (m.group("port") != null) {
            port = Integer.parseInt(m.group("port"));
            if (port < 1 || port > 65535) {
                throw bad(text, "the port must be between 1 and 65535");
            }
        }
        String name = m.group("v6") != null ? m.group("v6") : m.group("name");
        if (m.group("v6") != null && !name.contains(":")) {
            throw bad(text, "brackets are for IPv6 addresses only");
        }
        return new SshTarget(Optional.ofNullable(m.group("user")), name, port);
    }

    private static RedisTlsException bad(String text, String what) {
        return RedisTlsException.badInput("--host '" + text + "' is not an SSH target: " + what);
    }

    /** How messages name the host: as the user wrote it. */
    @Override
    public String toString() {
        String host = name.contains(":") ? "[" + name + "]" : name;
        return user.map(u -> u + "@").orElse("") + host + (port == NO_PORT ? "" : ":" + port);
    }
}
