package dev.redistls.node;

import dev.redistls.RedisTlsException;

/** Where a live node is reached: a host (name or IP literal) and a port. */
public record Endpoint(String host, int port) {

    /** Parses {@code HOST:PORT}, {@code [IPv6]:PORT}. */
    public static Endpoint parse(String s) {
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw RedisTlsException.badInput("invalid --endpoint '" + s + "': use HOST:PORT");
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            int port = Integer.parseInt(s.substring(colon + 1));
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
            return new Endpoint(host, port);
        } catch (NumberFormatException e) {
            throw RedisTlsException.badInput("invalid --endpoint '" + s + "': port must be 1-65535");
        }
    }

    /** The address to reach a node bound to {@code bind} (the first address; wildcards mean loopback). */
    public static String hostFromBind(String bind) {
        if (bind == null || bind.isBlank()) {
            return "127.0.0.1";
        }
        String first = bind.trim().split("\\s+")[0];
        if (first.startsWith("-")) {
            first = first.substring(1);
        }
        return switch (first) {
            case "*", "0.0.0.0" -> "127.0.0.1";
            case "::*", "::", "::0" -> "::1";
            default -> first;
        };
    }

    public Endpoint withPort(int p) {
        return new Endpoint(host, p);
    }

    @Override
    public String toString() {
        return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
    }
}
