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

    /** The files of an export that snippets name. */
    record Bundle(ClientBundle.Format format, Path dir, Path root, Path crt, Path key, Path p12, Path trust) {
        static Bundle of(ClientBundle.Result r, String name) {
            Path d = r.dir();
            return new Bundle(r.format(), d, d.resolve("root.crt"), d.resolve(name + ".crt"), d.resolve(name + ".key"),
                    d.resolve(name + ".p12"), d.resolve(ClientBundle.TRUSTSTORE));
        }

        /** PEM files: --format pem, and spring (which writes PEM and the properties). */
        boolean pem() {
            return format != ClientBundle.Format.PKCS12;
        }
    }

    public static String of(ClientBundle.Result r, String name) {
        return of(r, name, Topology.NODE);
    }

    public static String of(ClientBundle.Result r, String name, Topology topology) {
        Bundle b = Bundle.of(r, name);
        Path root = b.root();
        Path crt = b.crt();
        Path key = b.key();
        boolean pem = b.pem();
        String readsPem = "(reads PEM: redis-tls client export " + name + " --format pem --out DIR)\n";
        String readsPkcs12 = "(reads PKCS#12: redis-tls client export " + name + " --format pkcs12 --out DIR --password-file FILE)\n";
        StringBuilder s = new StringBuilder("Use it: REDIS_HOST and REDIS_PORT name the node's TLS endpoint, REDIS_PASSWORD its password"
                + (pem ? "" : ", REDIS_STORE_PASSWORD the stores' password") + "; every snippet reads them from the environment.\n");

        section(s, "redis-cli:", pem
                ? "REDISCLI_AUTH=\"$REDIS_PASSWORD\" redis-cli --tls -h \"$REDIS_HOST\" -p \"$REDIS_PORT\" --cacert " + root
                        + " --cert " + crt + " --key " + key + " PING\n"
                : readsPem);

        section(s, "Jedis:", pem ? readsPkcs12 : JavaSnippets.jedisNode(b));
        section(s, "Lettuce:", JavaSnippets.lettuceNode(b));
        // A Boot application has one spring.data.redis, and --format spring writes one file: its section is printed
        // once, for the topology asked for (with the other Sentinel or Cluster snippets).
        if (!topology.sentinel() && !topology.cluster()) {
            spring(s, "", b, Topology.NODE);
        }
        section(s, "Redisson 4 (a YAML file: Redisson.create(Config.fromYAML(new File(FILE)))):", pem ? readsPkcs12
                : JavaSnippets.redisson(b, JavaSnippets.redissonNode()));

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
        if (topology.sentinel()) {
            sentinel(s, topology.sentinelMaster(), b, readsPem, readsPkcs12);
        }
        if (topology.cluster()) {
            cluster(s, b, readsPem, readsPkcs12);
        }
        return s.toString();
    }

    /**
     * Spring Boot: the properties for {@code b}'s format, connecting to {@code connectTo}; {@code header} opens the
     * header's parenthesis ("Sentinel; ", "Cluster; " or nothing).
     */
    private static void spring(StringBuilder s, String header, Bundle b, Topology connectTo) {
        if (b.format() == ClientBundle.Format.SPRING) {
            Path props = b.dir().resolve(SpringBootProperties.FILE);
            section(s, "Spring Boot 3.1+ (" + header + "in application.properties, or as SPRING_CONFIG_IMPORT in the environment):",
                    "spring.config.import=file:" + props + "\n"
                            + "(or: spring.profiles.active=redis-tls with spring.config.additional-location=file:" + b.dir() + "/)\n");
        } else {
            section(s, "Spring Boot 3.1+ (" + header + "a properties file: load it with spring.config.import=file:FILE):",
                    b.pem() ? SpringBootProperties.pem(b.root(), b.crt(), b.key(), connectTo)
                            : SpringBootProperties.pkcs12(b.p12(), b.trust(), connectTo));
        }
    }

    /**
     * Clients that ask the sentinels (REDIS_SENTINELS: their TLS endpoints, {@code host:port,...}) where the master
     * is, over TLS with the same certificate (Sentinel asks for client certificates as the data nodes do), then
     * connect to it over TLS.
     */
    private static void sentinel(StringBuilder s, String master, Bundle b, String readsPem, String readsPkcs12) {
        boolean pem = b.pem();
        Path root = b.root();
        Path crt = b.crt();
        Path key = b.key();
        s.append("With Sentinel: REDIS_SENTINELS lists the sentinels' TLS endpoints (host:port,host:port,...),"
                + " REDIS_SENTINEL_PASSWORD their password if they have one; the master is the one they call " + master + ".\n");
        section(s, "Jedis (Sentinel):", pem ? readsPkcs12 : JavaSnippets.jedisSentinel(b, master));
        section(s, "Lettuce (Sentinel):", JavaSnippets.lettuceSentinel(b, master));
        spring(s, "Sentinel; ", b, new Topology(master, false));
        section(s, "Redisson 4 (Sentinel; a YAML file: Redisson.create(Config.fromYAML(new File(FILE)))); REDIS_SENTINEL is one"
                        + " sentinel's TLS endpoint (host:port), which Redisson asks for the others:",
                pem ? readsPkcs12 : JavaSnippets.redisson(b, JavaSnippets.redissonSentinel(master)));
        section(s, "redis-py (Sentinel):", pem
                ? "import os\n"
                        + "from redis.sentinel import Sentinel\n"
                        + "tls = dict(ssl=True, ssl_check_hostname=True, ssl_ca_certs=" + quoted(root) + ",\n"
                        + "    ssl_certfile=" + quoted(crt) + ", ssl_keyfile=" + quoted(key) + ")\n"
                        + "sentinels = [(a.rsplit(\":\", 1)[0], int(a.rsplit(\":\", 1)[1])) for a in os.environ[\"REDIS_SENTINELS\"].split(\",\")]\n"
                        + "sentinel = Sentinel(sentinels, sentinel_kwargs=dict(tls, password=os.environ.get(\"REDIS_SENTINEL_PASSWORD\")), **tls)\n"
                        + "r = sentinel.master_for(" + quoted(master) + ", password=os.environ[\"REDIS_PASSWORD\"])\n"
                : readsPem);
        section(s, "node-redis (Sentinel; an ES module: import { redis } from './redis.mjs'; await redis.connect()):", pem
                ? "import fs from 'node:fs';\n"
                        + "import { createSentinel } from 'redis';\n"
                        + "const tls = {\n"
                        + "  tls: true,\n"
                        + nodeTls("  ", root, crt, key)
                        + "};\n"
                        + "export const redis = createSentinel({\n"
                        + "  name: " + js(master) + ",\n"
                        + "  sentinelRootNodes: " + jsEndpoints("REDIS_SENTINELS", "  ") + ",\n"
                        + "  sentinelClientOptions: { password: process.env.REDIS_SENTINEL_PASSWORD, socket: tls },\n"
                        + "  nodeClientOptions: { password: process.env.REDIS_PASSWORD, socket: tls },\n"
                        + "});\n"
                : readsPem);
        section(s, "ioredis (Sentinel; an ES module: import { redis } from './redis.mjs'; it connects at once):", pem
                ? "import fs from 'node:fs';\n"
                        + "import { Redis } from 'ioredis';\n"
                        + "const tls = {\n"
                        + nodeTls("  ", root, crt, key)
                        + "};\n"
                        + "export const redis = new Redis({\n"
                        + "  name: " + js(master) + ",\n"
                        + "  sentinels: " + jsEndpoints("REDIS_SENTINELS", "  ") + ",\n"
                        + "  sentinelPassword: process.env.REDIS_SENTINEL_PASSWORD,\n"
                        + "  sentinelTLS: tls,\n"
                        + "  enableTLSForSentinelMode: true,\n"
                        + "  password: process.env.REDIS_PASSWORD,\n"
                        + "  tls,\n"
                        + "});\n"
                : readsPem);
    }

    /**
     * Clients of a Redis Cluster whose nodes serve TLS (REDIS_NODES: some of their TLS endpoints, {@code host:port,...});
     * the cluster tells them the rest, and which node holds which slot.
     */
    private static void cluster(StringBuilder s, Bundle b, String readsPem, String readsPkcs12) {
        boolean pem = b.pem();
        Path root = b.root();
        Path crt = b.crt();
        Path key = b.key();
        s.append("With Redis Cluster: REDIS_NODES lists some nodes' TLS endpoints (host:port,host:port,...); the cluster"
                + " tells the client the others.\n");
        section(s, "Jedis (Cluster):", pem ? readsPkcs12 : JavaSnippets.jedisCluster(b));
        section(s, "Lettuce (Cluster):", JavaSnippets.lettuceCluster(b));
        spring(s, "Cluster; ", b, new Topology(null, true));
        section(s, "Redisson 4 (Cluster; a YAML file: Redisson.create(Config.fromYAML(new File(FILE)))); REDIS_NODE is one"
                        + " node's TLS endpoint (host:port), which Redisson asks for the others:",
                pem ? readsPkcs12 : JavaSnippets.redisson(b, JavaSnippets.redissonCluster()));
        section(s, "redis-cli (Cluster: follows MOVED and ASK):", pem
                ? "n=\"${REDIS_NODES%%,*}\"; REDISCLI_AUTH=\"$REDIS_PASSWORD\" redis-cli -c --tls -h \"${n%:*}\" -p \"${n##*:}\" --cacert "
                        + root + " --cert " + crt + " --key " + key + " PING\n"
                : readsPem);
        section(s, "redis-py (Cluster):", pem
                ? "import os\n"
                        + "from redis.cluster import RedisCluster, ClusterNode\n"
                        + "nodes = [ClusterNode(a.rsplit(\":\", 1)[0], int(a.rsplit(\":\", 1)[1])) for a in os.environ[\"REDIS_NODES\"].split(\",\")]\n"
                        + "r = RedisCluster(startup_nodes=nodes, password=os.environ[\"REDIS_PASSWORD\"], ssl=True, ssl_check_hostname=True,\n"
                        + "    ssl_ca_certs=" + quoted(root) + ", ssl_certfile=" + quoted(crt) + ", ssl_keyfile=" + quoted(key) + ")\n"
                : readsPem);
        section(s, "node-redis (Cluster; an ES module: import { redis } from './redis.mjs'; await redis.connect()):", pem
                ? "import fs from 'node:fs';\n"
                        + "import { createCluster } from 'redis';\n"
                        + "export const redis = createCluster({\n"
                        + "  rootNodes: process.env.REDIS_NODES.split(',').map((a) => ({ url: `rediss://${a}` })),\n"
                        + "  defaults: {\n"
                        + "    password: process.env.REDIS_PASSWORD,\n"
                        + "    socket: {\n"
                        + "      tls: true,\n"
                        + nodeTls("      ", root, crt, key)
                        + "    },\n"
                        + "  },\n"
                        + "});\n"
                : readsPem);
        section(s, "ioredis (Cluster; an ES module: import { redis } from './redis.mjs'; it connects at once):", pem
                ? "import fs from 'node:fs';\n"
                        + "import { Cluster } from 'ioredis';\n"
                        + "export const redis = new Cluster(" + jsEndpoints("REDIS_NODES", "") + ", {\n"
                        + "  redisOptions: {\n"
                        + "    password: process.env.REDIS_PASSWORD,\n"
                        + "    tls: {\n"
                        + nodeTls("      ", root, crt, key)
                        + "    },\n"
                        + "  },\n"
                        + "});\n"
                : readsPem);
    }

    /** One file a line, so that a reader (or a test) can drop the client certificate and see the server refuse. */
    private static String nodeTls(String indent, Path root, Path crt, Path key) {
        return indent + "ca: fs.readFileSync(" + js(root) + "),\n"
                + indent + "cert: fs.readFileSync(" + js(crt) + "),\n"
                + indent + "key: fs.readFileSync(" + js(key) + "),\n";
    }

    /** A JavaScript expression: the {@code host:port,...} list in environment variable {@code env} as {host, port} objects. */
    private static String jsEndpoints(String env, String indent) {
        return "process.env." + env + ".split(',').map((a) => {\n"
                + indent + "  const i = a.lastIndexOf(':');\n"
                + indent + "  return { host: a.slice(0, i), port: Number(a.slice(i + 1)) };\n"
                + indent + "})";
    }

    private static void section(StringBuilder s, String header, String body) {
        s.append(header).append('\n');
        for (String line : body.split("\n")) {
            s.append(INDENT).append(line).append('\n');
        }
    }

    /** A double-quoted string literal as Java, Python and YAML read it. */
    static String quoted(Object value) {
        return '"' + value.toString().replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    /** A single-quoted JavaScript string literal. */
    private static String js(Object p) {
        return '\'' + p.toString().replace("\\", "\\\\").replace("'", "\\'") + '\'';
    }
}
