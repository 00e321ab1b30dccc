package dev.redistls.client;

import java.nio.file.Path;

/**
 * Spring Boot 3.1+ properties that point spring-data-redis at an SSL bundle (spring.data.redis.ssl.bundle), in the
 * two flavours Boot reads: PEM files (spring.ssl.bundle.pem) and key stores (spring.ssl.bundle.jks, PKCS#12 here).
 * Host, port and passwords are placeholders that Boot resolves from the environment, so one file serves every node
 * of a group and holds no secret. Boot verifies the host name against the certificate by default; nothing here
 * turns that off.
 */
public final class SpringBootProperties {
    /** The bundle's name, as Boot users see it in spring.data.redis.ssl.bundle. */
    public static final String BUNDLE = "redis-tls";
    /** A profile-specific name, so that spring.profiles.active=redis-tls finds the file in a config location. */
    public static final String FILE = "application-redis-tls.properties";

    private SpringBootProperties() {
    }

    /** The file {@code client export --format spring} writes: the PEM flavour with a header saying how to load it. */
    static String file(Path self, Path root, Path cert, Path key) {
        return "# Redis over TLS with a client certificate (Spring Boot 3.1+). Written by redis-tls.\n"
                + "# Load it with spring.config.import=file:" + self + " (or SPRING_CONFIG_IMPORT),\n"
                + "# or activate the redis-tls profile with this directory on spring.config.additional-location.\n"
                + "# REDIS_HOST, REDIS_PORT and REDIS_PASSWORD come from the environment.\n"
                + pem(root, cert, key);
    }

    static String pem(Path root, Path cert, Path key) {
        String b = "spring.ssl.bundle.pem." + BUNDLE;
        return b + ".keystore.certificate=file:" + cert + "\n"
                + b + ".keystore.private-key=file:" + key + "\n"
                + b + ".truststore.certificate=file:" + root + "\n"
                + connection();
    }

    /** Key store and trust store share one password (the export's), read from REDIS_STORE_PASSWORD. */
    static String pkcs12(Path keystore, Path truststore) {
        String b = "spring.ssl.bundle.jks." + BUNDLE;
        return b + ".keystore.location=file:" + keystore + "\n"
                + b + ".keystore.type=PKCS12\n"
                + b + ".keystore.password=${REDIS_STORE_PASSWORD}\n"
                + b + ".truststore.location=file:" + truststore + "\n"
                + b + ".truststore.type=PKCS12\n"
                + b + ".truststore.password=${REDIS_STORE_PASSWORD}\n"
                + connection();
    }

    private static String connection() {
        return "spring.data.redis.ssl.enabled=true\n"
                + "spring.data.redis.ssl.bundle=" + BUNDLE + "\n"
                + "spring.data.redis.host=${REDIS_HOST:localhost}\n"
                + "spring.data.redis.port=${REDIS_PORT:6380}\n"
                + "spring.data.redis.password=${REDIS_PASSWORD:}\n";
    }
}
