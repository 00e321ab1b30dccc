package dev.redistls.client;

import java.nio.file.Path;

/**
 * Spring Boot 3.1+ properties that point spring-data-redis at an SSL bundle (spring.data.redis.ssl.bundle), in the
 * two flavours Boot reads: PEM files (spring.ssl.bundle.pem) and key stores (spring.ssl.bundle.jks, PKCS#12 here),
 * and at one node, the master the sentinels name (spring.data.redis.sentinel.*) or a Redis Cluster
 * (spring.data.redis.cluster.nodes): Boot applies the bundle to every connection, the sentinels' included.
 * Endpoints and passwords are placeholders that Boot resolves from the environment, so one file serves every node
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
    static String file(Path self, Path root, Path cert, Path key, Topology topology) {
        return "# Redis over TLS with a client certificate (Spring Boot 3.1+). Written by redis-tls.\n"
                + "# Load it with spring.config.import=file:" + self + " (or SPRING_CONFIG_IMPORT),\n"
                + "# or activate the redis-tls profile with this directory on spring.config.additional-location.\n"
                + "# " + environment(topology) + " come from the environment.\n"
                + pem(root, cert, key, topology);
    }

    static String pem(Path root, Path cert, Path key, Topology topology) {
        String b = "spring.ssl.bundle.pem." + BUNDLE;
        return b + ".keystore.certificate=file:" + cert + "\n"
                + b + ".keystore.private-key=file:" + key + "\n"
                + b + ".truststore.certificate=file:" + root + "\n"
                + connection(topology);
    }

    /** Key store and trust store share one password (the export's), read from REDIS_STORE_PASSWORD. */
    static String pkcs12(Path keystore, Path truststore, Topology topology) {
        String b = "spring.ssl.bundle.jks." + BUNDLE;
        return b + ".keystore.location=file:" + keystore + "\n"
                + b + ".keystore.type=PKCS12\n"
                + b + ".keystore.password=${REDIS_STORE_PASSWORD}\n"
                + b + ".truststore.location=file:" + truststore + "\n"
                + b + ".truststore.type=PKCS12\n"
                + b + ".truststore.password=${REDIS_STORE_PASSWORD}\n"
                + connection(topology);
    }

    /**
     * Where Boot connects. Only the endpoints of the topology asked for: Boot would take sentinels or cluster nodes
     * over a host and port anyway, and a file that named both would mislead its reader. The lists have no default, so
     * that a missing one stops Boot with the variable's name instead of connecting somewhere else.
     */
    private static String connection(Topology topology) {
        String endpoints;
        if (topology.sentinel()) {
            endpoints = "spring.data.redis.sentinel.master=" + topology.sentinelMaster().replace("\\", "\\\\") + "\n"
                    + "spring.data.redis.sentinel.nodes=${REDIS_SENTINELS}\n"
                    + "spring.data.redis.sentinel.password=${REDIS_SENTINEL_PASSWORD:}\n";
        } else if (topology.cluster()) {
            endpoints = "spring.data.redis.cluster.nodes=${REDIS_NODES}\n";
        } else {
            endpoints = "spring.data.redis.host=${REDIS_HOST:localhost}\n"
                    + "spring.data.redis.port=${REDIS_PORT:6380}\n";
        }
        return "spring.data.redis.ssl.enabled=true\n"
                + "spring.data.redis.ssl.bundle=" + BUNDLE + "\n"
                + endpoints
                + "spring.data.redis.password=${REDIS_PASSWORD:}\n";
    }

    private static String environment(Topology topology) {
        if (topology.sentinel()) {
            return "REDIS_SENTINELS, REDIS_SENTINEL_PASSWORD and REDIS_PASSWORD";
        }
        return topology.cluster() ? "REDIS_NODES and REDIS_PASSWORD" : "REDIS_HOST, REDIS_PORT and REDIS_PASSWORD";
    }
}
