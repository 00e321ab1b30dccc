package dev.redistls.node;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Who is connected to a node, and on which listener: {@code CLIENT LIST}'s {@code laddr} is the address a client
 * connected to, so its port tells the plain port from the TLS port. What an operator must know before closing plain
 * text ({@code configure --tls-only}): the applications still on it, by address, name, user and last command.
 * The tool's own connection, unix-socket clients and outgoing links (a replica's link to its master) are left out,
 * and so are connections that sent bytes but never a command, for a second or more: a TLS client knocking at the
 * plain port (its ClientHello has no line end, so Redis waits for the rest of an inline command), such as a
 * Sentinel still trying a replica at a port it learned before the replica moved to TLS. Closing the port cuts off
 * nothing that worked. Closing it does not cut off who is connected either: a client that connected before
 * {@code --tls-only} stays on plain text, and is listed as such (its {@code laddr} is not the TLS port) — unless TLS
 * moved onto that very port, where Redis 7.0 gives no way to tell the two apart.
 */
public record ClientConnections(List<Connection> plaintext, int tlsCount) {

    /** One client connection as Redis describes it. {@code replica}: a replica's replication link to this node. */
    public record Connection(String address, int localPort, String name, String user, long ageSeconds,
                             long idleSeconds, String lastCommand, boolean replica) {

        /** One line for people: {@code 10.0.0.7:51234 name billing, user default, age 12s, idle 0s, last get}. */
        public String describe() {
            return address + " name " + (name.isEmpty() ? "(none)" : name) + ", user " + user + ", age " + ageSeconds
                    + "s, idle " + idleSeconds + "s, last " + (lastCommand.isEmpty() ? "(none)" : lastCommand)
                    + (replica ? " (a replica's replication link)" : "");
        }

        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("address", address);
            m.put("name", name.isEmpty() ? null : name);
            m.put("user", user);
            m.put("ageSeconds", ageSeconds);
            m.put("idleSeconds", idleSeconds);
            m.put("lastCommand", lastCommand.isEmpty() ? null : lastCommand);
            m.put("replica", replica);
            return m;
        }
    }

    /**
     * The connections of {@code clientList} (CLIENT LIST's text): plain text unless on {@code tlsPort}, without
     * {@code ownId}. {@code plainPort} (0: closed) is the live plain port.
     */
    public static ClientConnections parse(String clientList, int plainPort, int tlsPort, long ownId) {
        List<Connection> plain = new ArrayList<>();
        int tls = 0;
        for (String line : clientList.split("\r?\n")) {
            Map<String, String> f = fields(line);
            if (f.isEmpty() || String.valueOf(ownId).equals(f.get("id")) || f.getOrDefault("flags", "").contains("M")) {
                continue;
            }
            int port = port(f.getOrDefault("laddr", ""));
            if (port <= 0) {
                continue; // a unix socket: not on a network listener
            }
            if ("NULL".equals(f.get("cmd")) && number(f.get("qbuf")) > 0 && number(f.get("idle")) >= 1) {
                continue; // bytes but never a command: not a Redis client
            }
            // Every TCP client not on the TLS listener speaks plain text: on the plain port, or on one closed since it
            // connected (Redis keeps such connections; CONFIG SET port 0 only stops accepting new ones).
            if (tlsPort <= 0 || port != tlsPort) {
                plain.add(new Connection(f.getOrDefault("addr", ""), port, f.getOrDefault("name", ""),
                        f.getOrDefault("user", "default"), number(f.get("age")), number(f.get("idle")),
                        "NULL".equals(f.get("cmd")) ? "" : f.getOrDefault("cmd", ""), f.getOrDefault("flags", "").contains("S")));
            } else {
                tls++;
            }
        }
        return new ClientConnections(List.copyOf(plain), tls);
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("plaintextCount", plaintext.size());
        m.put("tlsCount", tlsCount);
        m.put("plaintext", plaintext.stream().map(Connection::toMap).toList());
        return m;
    }

    /** CLIENT LIST's {@code key=value} pairs; a value never holds a space (names cannot). */
    private static Map<String, String> fields(String line) {
        Map<String, String> f = new LinkedHashMap<>();
        for (String pair : line.trim().split(" ")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                f.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        return f;
    }

    /** The port of {@code host:port} or {@code [v6]:port}; 0 for a unix socket path. */
    private static int port(String laddr) {
        int colon = laddr.lastIndexOf(':');
        if (colon < 0 || laddr.startsWith("/")) {
            return 0;
        }
        try {
            return Integer.parseInt(laddr.substring(colon + 1));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static long number(String s) {
        try {
            return s == null ? 0 : Long.parseLong(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
