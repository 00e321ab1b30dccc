package dev.redistls.client;

import java.nio.file.Path;

/**
 * How to use an exported bundle from redis-cli, Jedis, Lettuce, Spring Boot, redis-py and node-redis, with the
 * real file paths filled in. HOST and PORT stand for the node's TLS endpoint; the password is read from the
 * environment, never written into code.
 */
public final class UsageSnippets {
    private UsageSnippets() {
    }

    public static String of(ClientBundle.Result r, String name) {
        Path d = r.dir();
        String root = d.resolve("root.crt").toString();
        String crt = d.resolve(name + ".crt").toString();
        String key = d.resolve(name + ".key").toString();
        String p12 = d.resolve(name + ".p12").toString();
        String trust = d.resolve(ClientBundle.TRUSTSTORE).toString();
        String pemOnly = "  (reads PEM: redis-tls client export " + name + " --format pem --out DIR)\n";
        StringBuilder s = new StringBuilder("Use it (HOST and PORT: the node's TLS endpoint; password from the environment):\n");
        boolean pem = r.format() != ClientBundle.Format.PKCS12;

        s.append("redis-cli:\n");
        s.append(pem ? "  REDISCLI_AUTH=\"$REDIS_PASSWORD\" redis-cli --tls -h HOST -p PORT --cacert " + root
                + " --cert " + crt + " --key " + key + " PING\n" : pemOnly);

        s.append("Jedis:\n");
        if (pem) {
            s.append("  (reads PKCS#12: redis-tls client export ").append(name)
                    .append(" --format pkcs12 --out DIR --password-file FILE)\n");
        } else {
            s.append("  SslOptions ssl = SslOptions.builder()\n")
                    .append("      .keystore(new File(\"").append(p12).append("\"), storePassword)\n")
                    .append("      .truststore(new File(\"").append(trust).append("\"), storePassword)\n")
                    .append("      .sslVerifyMode(SslVerifyMode.FULL).build();\n")
                    .append("  Jedis jedis = new Jedis(new HostAndPort(\"HOST\", PORT), DefaultJedisClientConfig.builder()\n")
                    .append("      .sslOptions(ssl).password(System.getenv(\"REDIS_PASSWORD\")).build());\n");
        }

        s.append("Lettuce:\n");
        s.append(pem
                ? "  SslOptions ssl = SslOptions.builder().keyManager(new File(\"" + crt + "\"), new File(\"" + key
                        + "\"), null)\n      .trustManager(new File(\"" + root + "\")).build();\n"
                : "  SslOptions ssl = SslOptions.builder().keystore(new File(\"" + p12 + "\"), storePassword)\n"
                        + "      .truststore(new File(\"" + trust + "\"), new String(storePassword)).build();\n");
        s.append("  RedisClient client = RedisClient.create(RedisURI.builder().withHost(\"HOST\").withPort(PORT).withSsl(true)\n")
                .append("      .withVerifyPeer(SslVerifyMode.FULL).withPassword(System.getenv(\"REDIS_PASSWORD\").toCharArray()).build());\n")
                .append("  client.setOptions(ClientOptions.builder().sslOptions(ssl).build());\n");

        s.append("Spring Boot 3.1+:\n");
        if (r.format() == ClientBundle.Format.SPRING) {
            s.append("  spring.profiles.active=redis-tls (").append(d.resolve(ClientBundle.SPRING_PROPERTIES))
                    .append(" on spring.config.additional-location), REDIS_HOST, REDIS_PORT, REDIS_PASSWORD set\n");
        } else if (pem) {
            s.append("  spring.ssl.bundle.pem.redis-tls.keystore.certificate=file:").append(crt).append('\n')
                    .append("  spring.ssl.bundle.pem.redis-tls.keystore.private-key=file:").append(key).append('\n')
                    .append("  spring.ssl.bundle.pem.redis-tls.truststore.certificate=file:").append(root).append('\n')
                    .append("  spring.data.redis.ssl.bundle=redis-tls\n");
        } else {
            s.append("  spring.ssl.bundle.jks.redis-tls.keystore.location=file:").append(p12).append('\n')
                    .append("  spring.ssl.bundle.jks.redis-tls.keystore.type=PKCS12\n")
                    .append("  spring.ssl.bundle.jks.redis-tls.keystore.password=${REDIS_STORE_PASSWORD}\n")
                    .append("  spring.ssl.bundle.jks.redis-tls.truststore.location=file:").append(trust).append('\n')
                    .append("  spring.ssl.bundle.jks.redis-tls.truststore.type=PKCS12\n")
                    .append("  spring.ssl.bundle.jks.redis-tls.truststore.password=${REDIS_STORE_PASSWORD}\n")
                    .append("  spring.data.redis.ssl.bundle=redis-tls\n");
        }

        s.append("redis-py:\n");
        s.append(pem ? "  redis.Redis(host=\"HOST\", port=PORT, password=os.environ[\"REDIS_PASSWORD\"], ssl=True,\n"
                + "      ssl_ca_certs=\"" + root + "\", ssl_certfile=\"" + crt + "\", ssl_keyfile=\"" + key
                + "\", ssl_check_hostname=True)\n" : pemOnly);

        s.append("node-redis:\n");
        s.append(pem ? "  createClient({ url: 'rediss://HOST:PORT', password: process.env.REDIS_PASSWORD, socket: { tls: true,\n"
                + "      ca: fs.readFileSync('" + root + "'), cert: fs.readFileSync('" + crt + "'), key: fs.readFileSync('"
                + key + "') } })\n" : pemOnly);
        return s.toString();
    }
}
