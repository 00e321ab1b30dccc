package dev.redistls.node;

import dev.redistls.conf.EffectiveConf;

import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/**
 * How the tool authenticates to a node: {@code REDISCLI_AUTH} (as redis-cli does) first, else the config's
 * {@code requirepass}, kept as its exact bytes (a password may hold any byte Redis accepts). The password is never
 * printed; {@link #toString} says only where it came from.
 */
public final class Credentials {
    private final String user;
    private final byte[] password;
    private final String source;

    private Credentials(String user, byte[] password, String source) {
        this.user = user;
        this.password = password;
        this.source = source;
    }

    public static Credentials none() {
        return new Credentials(null, null, "no password");
    }

    public static Credentials from(EffectiveConf conf, Function<String, String> env) {
        String fromEnv = env.apply("REDISCLI_AUTH");
        String user = env.apply("REDISCLI_USER");
        if (fromEnv != null && !fromEnv.isEmpty()) {
            return new Credentials(user == null || user.isEmpty() ? null : user, fromEnv.getBytes(StandardCharsets.UTF_8),
                    "REDISCLI_AUTH");
        }
        return conf.last("requirepass").map(EffectiveConf.Setting::rawValue).filter(p -> p.length > 0)
                .map(p -> new Credentials(null, p, "requirepass in the config"))
                .orElse(none());
    }

    public String user() {
        return user;
    }

    /** The password's bytes, or null. */
    public byte[] password() {
        return password == null ? null : password.clone();
    }

    public String source() {
        return source;
    }

    @Override
    public String toString() {
        return source;
    }
}
