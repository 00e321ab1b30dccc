package dev.redistls.client;

import static dev.redistls.client.UsageSnippets.quoted;

/**
 * The JVM clients' snippets: Jedis and Lettuce statements (imports first, then what makes a client) and Redisson 4
 * YAML, for one node, for the master the sentinels name, and for a Redis Cluster. Every connection, the sentinels'
 * included, presents the client certificate and verifies the host name: Sentinel asks for client certificates as the
 * data nodes do, and names the nodes by the address their certificates carry. Jedis and Redisson read the PKCS#12
 * stores only; Lettuce reads PEM too.
 */
final class JavaSnippets {
    private static final String STORE_PASSWORD = "System.getenv(\"REDIS_STORE_PASSWORD\")";

    private JavaSnippets() {
    }

    static String jedisNode(UsageSnippets.Bundle b) {
        return jedisImports("Jedis")
                + jedisSsl(b)
                + "Jedis jedis = new Jedis(new HostAndPort(System.getenv(\"REDIS_HOST\"), Integer.parseInt(System.getenv(\"REDIS_PORT\"))),\n"
                + "    DefaultJedisClientConfig.builder().sslOptions(ssl).password(System.getenv(\"REDIS_PASSWORD\")).build());\n";
    }

    /**
     * RedisSentinelClient and RedisClusterClient, which Jedis 7 has in place of JedisSentineled and JedisCluster (both
     * deprecated there). The sentinels get the same SslOptions: they ask for the client certificate too.
     */
    static String jedisSentinel(UsageSnippets.Bundle b, String master) {
        return jedisImports("RedisSentinelClient", "java.util.HashSet", "java.util.Set")
                + jedisSsl(b)
                + "Set<HostAndPort> sentinels = new HashSet<>();\n"
                + "for (String a : System.getenv(\"REDIS_SENTINELS\").split(\",\")) {\n"
                + "    sentinels.add(HostAndPort.from(a));\n"
                + "}\n"
                + "RedisSentinelClient jedis = RedisSentinelClient.builder().masterName(" + quoted(master) + ").sentinels(sentinels)\n"
                + "    .sentinelClientConfig(DefaultJedisClientConfig.builder().sslOptions(ssl).password(System.getenv(\"REDIS_SENTINEL_PASSWORD\")).build())\n"
                + "    .clientConfig(DefaultJedisClientConfig.builder().sslOptions(ssl).password(System.getenv(\"REDIS_PASSWORD\")).build())\n"
                + "    .build();\n";
    }

    static String jedisCluster(UsageSnippets.Bundle b) {
        return jedisImports("RedisClusterClient", "java.util.HashSet", "java.util.Set")
                + jedisSsl(b)
                + "Set<HostAndPort> nodes = new HashSet<>();\n"
                + "for (String a : System.getenv(\"REDIS_NODES\").split(\",\")) {\n"
                + "    nodes.add(HostAndPort.from(a));\n"
                + "}\n"
                + "RedisClusterClient jedis = RedisClusterClient.builder().nodes(nodes)\n"
                + "    .clientConfig(DefaultJedisClientConfig.builder().sslOptions(ssl).password(System.getenv(\"REDIS_PASSWORD\")).build())\n"
                + "    .build();\n";
    }

    static String lettuceNode(UsageSnippets.Bundle b) {
        return lettuceImports()
                + lettuceSsl(b)
                + "RedisClient client = RedisClient.create(RedisURI.builder().withHost(System.getenv(\"REDIS_HOST\"))\n"
                + "    .withPort(Integer.parseInt(System.getenv(\"REDIS_PORT\"))).withSsl(true).withVerifyPeer(SslVerifyMode.FULL)\n"
                + "    .withPassword(System.getenv(\"REDIS_PASSWORD\").toCharArray()).build());\n"
                + "client.setOptions(ClientOptions.builder().sslOptions(ssl).build());\n";
    }

    /**
     * The URI's TLS and peer verification reach its sentinels (RedisURI sets them on every sentinel it holds), and the
     * client's SslOptions serve the sentinels' connections too: the sentinels are asked over TLS, with the certificate.
     */
    static String lettuceSentinel(UsageSnippets.Bundle b, String master) {
        return lettuceImports()
                + lettuceSsl(b)
                + "RedisURI.Builder uri = RedisURI.builder().withSentinelMasterId(" + quoted(master) + ");\n"
                + "for (String a : System.getenv(\"REDIS_SENTINELS\").split(\",\")) {\n"
                + "    int i = a.lastIndexOf(':');\n"
                + "    uri.withSentinel(a.substring(0, i), Integer.parseInt(a.substring(i + 1)), System.getenv(\"REDIS_SENTINEL_PASSWORD\"));\n"
                + "}\n"
                + "RedisClient client = RedisClient.create(uri.withSsl(true).withVerifyPeer(SslVerifyMode.FULL)\n"
                + "    .withPassword(System.getenv(\"REDIS_PASSWORD\").toCharArray()).build());\n"
                + "client.setOptions(ClientOptions.builder().sslOptions(ssl).build());\n";
    }

    /** The nodes the cluster names take TLS, verification and password from the first seed URI. */
    static String lettuceCluster(UsageSnippets.Bundle b) {
        return "import java.io.File;\n"
                + "import java.util.ArrayList;\n"
                + "import java.util.List;\n"
                + "import io.lettuce.core.RedisURI;\n"
                + "import io.lettuce.core.SslOptions;\n"
                + "import io.lettuce.core.SslVerifyMode;\n"
                + "import io.lettuce.core.cluster.ClusterClientOptions;\n"
                + "import io.lettuce.core.cluster.RedisClusterClient;\n"
                + lettuceSsl(b)
                + "List<RedisURI> nodes = new ArrayList<>();\n"
                + "for (String a : System.getenv(\"REDIS_NODES\").split(\",\")) {\n"
                + "    int i = a.lastIndexOf(':');\n"
                + "    nodes.add(RedisURI.builder().withHost(a.substring(0, i)).withPort(Integer.parseInt(a.substring(i + 1)))\n"
                + "        .withSsl(true).withVerifyPeer(SslVerifyMode.FULL).withPassword(System.getenv(\"REDIS_PASSWORD\").toCharArray()).build());\n"
                + "}\n"
                + "RedisClusterClient client = RedisClusterClient.create(nodes);\n"
                + "client.setOptions(ClusterClientOptions.builder().sslOptions(ssl).build());\n";
    }

    /**
     * Redisson 4 reads TLS and the password at the top level of its config, for every kind of server config; the
     * server config below it says where to connect ({@code servers}: its YAML, unindented).
     */
    static String redisson(UsageSnippets.Bundle b, String servers) {
        return "password: \"${REDIS_PASSWORD}\"\n"
                + "sslVerificationMode: STRICT\n"
                + "sslKeystoreType: PKCS12\n"
                + "sslKeystore: " + quoted(b.p12().toUri()) + "\n"
                + "sslKeystorePassword: \"${REDIS_STORE_PASSWORD}\"\n"
                + "sslTruststore: " + quoted(b.trust().toUri()) + "\n"
                + "sslTruststorePassword: \"${REDIS_STORE_PASSWORD}\"\n"
                + servers;
    }

    static String redissonNode() {
        return "singleServerConfig:\n"
                + "  address: \"rediss://${REDIS_HOST}:${REDIS_PORT}\"\n";
    }

    /**
     * Redisson's YAML has placeholders but no way to split a list, so it starts from one sentinel (REDIS_SENTINEL)
     * and asks it for the others. Reads go to the master, as with every other snippet here: Redisson's default
     * (replicas) may read a value the replica has not received yet.
     */
    static String redissonSentinel(String master) {
        return "sentinelServersConfig:\n"
                + "  masterName: " + quoted(master) + "\n"
                + "  sentinelPassword: \"${REDIS_SENTINEL_PASSWORD}\"\n"
                + "  readMode: MASTER\n"
                + "  sentinelAddresses:\n"
                + "  - \"rediss://${REDIS_SENTINEL}\"\n";
    }

    /** One node to start from (REDIS_NODE), for the same reason; the cluster names the others. */
    static String redissonCluster() {
        return "clusterServersConfig:\n"
                + "  readMode: MASTER\n"
                + "  nodeAddresses:\n"
                + "  - \"rediss://${REDIS_NODE}\"\n";
    }

    /** One line each for the key store and the trust store, so that a reader (or a test) can drop either. */
    private static String jedisSsl(UsageSnippets.Bundle b) {
        return "SslOptions ssl = SslOptions.builder()\n"
                + "    .keystore(new File(" + quoted(b.p12()) + "), " + STORE_PASSWORD + ".toCharArray())\n"
                + "    .truststore(new File(" + quoted(b.trust()) + "), " + STORE_PASSWORD + ".toCharArray())\n"
                + "    .sslVerifyMode(SslVerifyMode.FULL).build();\n";
    }

    private static String lettuceSsl(UsageSnippets.Bundle b) {
        return b.pem()
                ? "SslOptions ssl = SslOptions.builder()\n"
                        + "    .keyManager(new File(" + quoted(b.crt()) + "), new File(" + quoted(b.key()) + "), null)\n"
                        + "    .trustManager(new File(" + quoted(b.root()) + ")).build();\n"
                : "SslOptions ssl = SslOptions.builder()\n"
                        + "    .keystore(new File(" + quoted(b.p12()) + "), " + STORE_PASSWORD + ".toCharArray())\n"
                        + "    .truststore(new File(" + quoted(b.trust()) + "), " + STORE_PASSWORD + ").build();\n";
    }

    private static String jedisImports(String client, String... more) {
        StringBuilder s = new StringBuilder();
        for (String m : more) {
            s.append("import ").append(m).append(";\n");
        }
        return "import java.io.File;\n" + s
                + "import redis.clients.jedis.DefaultJedisClientConfig;\n"
                + "import redis.clients.jedis.HostAndPort;\n"
                + "import redis.clients.jedis." + client + ";\n"
                + "import redis.clients.jedis.SslOptions;\n"
                + "import redis.clients.jedis.SslVerifyMode;\n";
    }

    private static String lettuceImports() {
        return "import java.io.File;\n"
                + "import io.lettuce.core.ClientOptions;\n"
                + "import io.lettuce.core.RedisClient;\n"
                + "import io.lettuce.core.RedisURI;\n"
                + "import io.lettuce.core.SslOptions;\n"
                + "import io.lettuce.core.SslVerifyMode;\n";
    }
}
