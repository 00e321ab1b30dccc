package dev.redistls.client;

import java.nio.file.Path;

/**
 * How to use an exported bundle from redis-cli, Jedis, Lettuce, Spring Boot, Redisson, redis-py, node-redis and
 * ioredis, with the real file paths filled in. Every snippet reads the endpoint and the secrets from the
 * environment (REDIS_HOST, REDIS_PORT, REDIS_PASSWORD, REDIS_STORE_PASSWORD), so that a snippet that is a whole
 * file (properties, YAML, an ES module) works as saved, for every node, and no secret is ever written into it.
 * Each section is a header line ending in ':' followed by its lines indented by two spaces.
 */
public final class UsageSnippets {
    private static final String INDENT = "  ";

    private UsageSnippets() {
    }

    public static String of(ClientBundle.Result r, String name) {
        Path d = r.dir();
        Path root = d.resolve("root.crt");
        Path crt = d.resolve(name + ".crt");
        Path key = d.resolve(name + ".key");
        Path p12 = d.resolve(name + ".p12");
        Path trust = d.resolve(ClientBundle.TRUSTSTORE);
        boolean pem = r.format() != ClientBundle.Format.PKCS12;
        String readsPem = "(reads PEM: redis-tls client export " + name + " --format pem --out DIR)\n";
        String readsPkcs12 = "(reads PKCS#12: redis-tls client export " + name + " --format pkcs12 --out DIR --password-file FILE)\n";
        StringBuilder s = new StringBuilder("Use it: REDIS_HOST and REDIS_PORT name the node's TLS endpoint, REDIS_PASSWORD its password"
                + (pem ? "" : ", REDIS_STORE_PASSWORD the stores' password") + "; every snippet reads them from the environment.\n");

        section(s, "redis-cli:", pem
                ? "REDISCLI_AUTH=\"$REDIS_PASSWORD\" redis-cli --tls -h \"$REDIS_HOST\" -p \"$REDIS_PORT\" --cacert " + root
                        + " --cert " + crt + " --key " + key + " PING\n"
                : readsPem);

        section(s, "Jedis:", pem ? readsPkcs12
                : "SslOptions ssl = SslOptions.builder()\n"
                        + "    .keystore(new File(" + quoted(p12) + "), System.getenv(\"REDIS_STORE_PASSWORD\").toCharArray())\n"
                        + "    .truststore(new File(" + quoted(trust) + "), System.getenv(\"REDIS_STORE_PASSWORD\").toCharArray())\n"
                        + "    .sslVerifyMode(SslVerifyMode.FULL).build();\n"
                        + "Jedis jedis = new Jedis(new HostAndPort(System.getenv(\"REDIS_HOST\"), Integer.parseInt(System.getenv(\"REDIS_PORT\"))),\n"
                        + "    DefaultJedisClientConfig.builder().sslOptions(ssl).password(System.getenv(\"REDIS_PASSWORD\")).build());\n");

        section(s, "Lettuce:", (pem
                ? "SslOptions ssl = SslOptions.builder().keyManager(new File(" + quoted(crt) + "), new File(" + quoted(key) + "), null)\n"
                        + "    .trustManager(new File(" + quoted(root) + ")).build();\n"
                : "SslOptions ssl = SslOptions.builder()\n"
                        + "    .keystore(new File(" + quoted(p12) + "), System.getenv(\"REDIS_STORE_PASSWORD\").toCharArray())\n"
                        + "    .truststore(new File(" + quoted(trust) + "), System.getenv(\"REDIS_STORE_PASSWORD\")).build();\n")
                + "RedisClient client = RedisClient.create(RedisURI.builder().withHost(System.getenv(\"REDIS_HOST\"))\n"
                + "    .withPort(Integer.parseInt(System.getenv(\"REDIS_PORT\"))).withSsl(true).withVerifyPeer(SslVerifyMode.FULL)\n"
                + "    .withPassword(System.getenv(\"REDIS_PASSWORD\").toCharArray()).build());\n"
                + "client.setOptions(ClientOptions.builder().sslOptions(ssl).build());\n");

        if (r.format() == ClientBundle.Format.SPRING) {
            Path props = d.resolve(SpringBootProperties.FILE);
            section(s, "Spring Boot 3.1+ (in application.properties, or as SPRING_CONFIG_IMPORT in the environment):",
                    "spring.config.import=file:" + props + "\n"
                            + "(or: spring.profiles.active=redis-tls with spring.config.additional-location=file:" + d + "/)\n");
        } else {
            section(s, "Spring Boot 3.1+ (a properties file: load it with spring.config.import=file:FILE):",
                    pem ? SpringBootProperties.pem(root, crt, key) : SpringBootProperties.pkcs12(p12, trust));
        }

        section(s, "Redisson 4 (a YAML file: Redisson.create(Config.fromYAML(new File(FILE)))):", pem ? readsPkcs12
                : "password: \"${REDIS_PASSWORD}\"\n"
                        + "sslVerificationMode: STRICT\n"
                        + "sslKeystoreType: PKCS12\n"
                        + "sslKeystore: " + quoted(p12.toUri()) + "\n"
                        + "sslKeystorePassword: \"${REDIS_STORE_PASSWORD}\"\n"
                        + "sslTruststore: " + quoted(trust.toUri()) + "\n"
                        + "sslTruststorePassword: \"${REDIS_STORE_PASSWORD}\"\n"
                        + "singleServerConfig:\n"
                        + "  address: \"rediss://${REDIS_HOST}:${REDIS_PORT}\"\n");

        section(s, "redis-py:", pem
                ? "r = redis.Redis(host=os.environ[\"REDIS_HOST\"], port=int(os.environ[\"REDIS_PORT\"]),\n"
                        + "    password=os.environ[\"REDIS_PASSWORD\"], ssl=True, ssl_check_hostname=True,\n"
                        + "    ssl_ca_certs=" + quoted(root) + ", ssl_certfile=" + quoted(crt) + ", ssl_keyfile=" + quoted(key) + ")\n"
                : readsPem);

        // Whole ES modules, so that they run as saved. node-redis connects when told to; ioredis on creation.
        section(s, "node-redis (an ES module: import { redis } from './redis.mjs'; await redis.connect()):", pem
                ? "import fs from 'node:fs';\n"
                        + "import { createClient } from 'redis';\n"
                        + "export const redis = createClient({\n"
                        + "  url: `rediss://${process.env.REDIS_HOST}:${process.env.REDIS_PORT}`,\n"
                        + "  password: process.env.REDIS_PASSWORD,\n"
                        + "  socket: {\n"
                        + nodeTls("    ", root, crt, key)
                        + "  },\n"
                        + "});\n"
                : readsPem);
        section(s, "ioredis (an ES module: import { redis } from './redis.mjs'; it connects at once):", pem
                ? "import fs from 'node:fs';\n"
                        + "import { Redis } from 'ioredis';\n"
                        + "export const redis = new Redis({\n"
                        + "  host: process.env.REDIS_HOST,\n"
                        + "  port: Number(process.env.REDIS_PORT),\n"
                        + "  password: process.env.REDIS_PASSWORD,\n"
                        + "  tls: {\n"
                        + nodeTls("    ", root, crt, key)
                        + "  },\n"
                        + "});\n"
                : readsPem);
        return s.toString();
    }

    /** One file a line, so that a reader (or a test) can drop the client certificate and see the server refuse. */
    private static String nodeTls(String indent, Path root, Path crt, Path key) {
        return indent + "ca: fs.readFileSync(" + js(root) + "),\n"
                + indent + "cert: fs.readFileSync(" + js(crt) + "),\n"
                + indent + "key: fs.readFileSync(" + js(key) + "),\n";
    }

    private static void section(StringBuilder s, String header, String body) {
        s.append(header).append('\n');
        for (String line : body.split("\n")) {
            s.append(INDENT).append(line).append('\n');
        }
    }

    /** A double-quoted string literal as Java, Python and YAML read it. */
    private static String quoted(Object value) {
        return '"' + value.toString().replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    /** A single-quoted JavaScript string literal. */
    private static String js(Path p) {
        return '\'' + p.toString().replace("\\", "\\\\").replace("'", "\\'") + '\'';
    }
}
