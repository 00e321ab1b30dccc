package dev.redistls.conf;

import dev.redistls.RedisTlsException;

import java.util.Locale;

/** {@code tls-auth-clients}: whether clients on the TLS port must present a certificate. */
public enum AuthClients {
    NO, OPTIONAL, YES;

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static AuthClients parse(String s) {
        for (AuthClients a : values()) {
            if (a.word().equalsIgnoreCase(s)) {
                return a;
            }
        }
        throw RedisTlsException.badInput("invalid --auth-clients '" + s + "': use no, optional or yes");
    }
}
