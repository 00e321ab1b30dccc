package dev.redistls.node;

import dev.redistls.conf.EffectiveConf;

/**
 * How the tool authenticates to a node: {@code REDISCLI_AUTH} (as redis-cli does) first, else the config's
 * {@code requirepass}. The password is never printed; {@link #toString} says only where it came from.
 */
public final class Credentials {
    private final String user;
    private final String password;
    private final String source;

    private Credentials(String user, String password, String source) {
        this.user = user;
        this.password = password;
        this.source = source;
    }

    public static Credentials none() {
        return new Credentials(null, null, "no password");
    }

    public static Credentials from(EffectiveConf conf, java.util.function.Function<String, String> env) {
        String fromEnv = env.apply("REDISCLI_AUTH");
        String user = env.apply("REDISCLI_USER");
        if (fromEnv != null && !fromEnv.isEmpty()) {
            return new Credentials(user == null || user.isEmpty() ? null : user, fromEnv, "REDISCLI_AUTH");
        }
        return conf.value("requirepass").filter(p -> !p.isEmpty())
                .map(p -> new Credentials(null, p, "requirepass in the config"))
                .orElse(none());
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    public String source() {
        return source;
    }

    @Override
    public String toString() {
        return source;
    }
}
