package dev.redistls.bench;

import dev.redistls.pki.KeysDir;
import dev.redistls.pki.Pem;
import dev.redistls.pki.TlsContexts;
import dev.redistls.testing.Cli;

import javax.net.ssl.SSLContext;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Benchmark, not a test: a steady load on a real redis-server's plain and TLS ports while its TLS configuration is
 * changed, (A) live by redis-tls (install, reissue, configure --auth-clients yes, uninstall; all CONFIG SET), and
 * (B) the add-on's way: the same settings written into redis.conf by hand and applied by restarting redis-server.
 * Writes a Markdown fragment (the results part of the "Live changes under load" section) to the file named by the
 * first argument. Run it with scripts/bench-live.
 */
public final class LiveChangeBenchmark {
    private static final int PLAIN_CLIENTS = Integer.getInteger("bench.plainClients", 4);
    private static final int TLS_CLIENTS = Integer.getInteger("bench.tlsClients", 4);
    private static final int RATE = Integer.getInteger("bench.rate", 250);
    private static final long STEADY_MS = Long.getLong("bench.steadyMs", 5000);
    private static final long WARMUP_MS = Long.getLong("bench.warmupMs", 3000);
    /**
     * Keys of 100 bytes loaded before the load starts, as a production node has data: a restart must save and load
     * them (the stock config's save points), a live change not. B also runs with no dataset: the restart's best case.
     */
    private static final int DATASET_KEYS = Integer.getInteger("bench.datasetKeys", 1_000_000);
    private static final String USER = System.getProperty("user.name");
    /** Width of the time-series bins of the install plot. */
    private static final long BIN_MS = Long.getLong("bench.binMs", 100);
    /** File name (without extension) of the install plot and its data, in the plot directory. */
    private static final String PLOT = "live-install-throughput";

    private LiveChangeBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: LiveChangeBenchmark RESULT.md [PLOT-DIR]");
            System.exit(2);
        }
        String template = new String(LiveChangeBenchmark.class.getResourceAsStream("/conf/debian12-redis.conf")
                .readAllBytes(), StandardCharsets.UTF_8);
        List<Result> results = new ArrayList<>();
        results.add(run("A", "redis-tls, applied live (CONFIG SET, no restart)", template, true, DATASET_KEYS));
        results.add(run("B0", "the add-on's way: edit redis.conf, restart redis-server (its best case)",
                template, false, 0));
        if (DATASET_KEYS > 0) {
            results.add(run("B", "the add-on's way: edit redis.conf, restart redis-server", template, false, DATASET_KEYS));
        }
        String md = markdown(results);
        if (args.length == 2) {
            md += plot(results, Path.of(args[1]));
        }
        Files.writeString(Path.of(args[0]), md);
        System.out.println(md);
    }

    // ---- scenarios

    /** One change of the TLS configuration, as one phase of the benchmark. */
    private interface Change {
        String apply() throws Exception;
    }

    private record Step(String name, Change change) {
    }

    private static final class Result {
        final String id;
        final String title;
        final int datasetKeys;
        final List<PhaseStats.Window> windows = new ArrayList<>();
        final List<LoadClient> plain = new ArrayList<>();
        final List<LoadClient> tls = new ArrayList<>();
        final List<String> identities = new ArrayList<>();
        final List<String> commands = new ArrayList<>();
        /** Per window name: commands that blocked redis-server's event loop for 1 ms or more (SLOWLOG). */
        final java.util.Map<String, List<String>> slow = new java.util.LinkedHashMap<>();
        int port;
        String password;
        /** Where the next window starts: windows are contiguous, so every request belongs to exactly one. */
        long mark;

        Result(String id, String title, int datasetKeys) {
            this.id = id;
            this.title = title;
            this.datasetKeys = datasetKeys;
        }

        String dataset() {
            return datasetKeys == 0 ? "no dataset" : String.format(Locale.ROOT, "%,d keys", datasetKeys);
        }
    }

    private static Result run(String id, String title, String template, boolean live, int datasetKeys) throws Exception {
        Result r = new Result(id, title, datasetKeys);
        Path dir = Files.createTempDirectory("redis-tls-bench-");
        int port = freePort();
        int tlsPort = freePort();
        String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        Path conf = dir.resolve("redis.conf");
        Path keysDir = dir.resolve("tls");
        Path caHome = dir.resolve("ca");
        KeysDir keys = KeysDir.local(keysDir);
        byte[] original = debianConf(template, dir, port, password).getBytes(StandardCharsets.UTF_8);
        Files.write(conf, original);
        RedisProcess redis = new RedisProcess(conf, dir, port, password);
        r.port = port;
        r.password = password;
        try {
            redis.start(-1);
            if (datasetKeys > 0) {
                try (Control c = Control.connect(port, password)) {
                    c.fill(datasetKeys, 100);
                }
            }
            List<Step> steps = live ? liveSteps(r, conf, keysDir, caHome, tlsPort)
                    : restartSteps(r, conf, keys, caHome, tlsPort, original, redis);

            for (int i = 0; i < PLAIN_CLIENTS; i++) {
                r.plain.add(new LoadClient("plain-" + i, port, null, password, RATE).start());
            }
            Thread.sleep(WARMUP_MS);
            r.identities.add("start: " + observe(r, null));
            r.mark = System.nanoTime();
            steady(r, "baseline (plain only)");
            for (Step step : steps) {
                if (step.name().startsWith("uninstall")) {
                    // The TLS port is closed on purpose: a TLS client whose reconnect is refused stops.
                    r.tls.forEach(LoadClient::stopWhenRefused);
                }
                String wall = step.change().apply();
                window(r, step.name(), wall);
                observe(r, step.name());
                if (r.tls.isEmpty()) {
                    SSLContext ctx = TlsContexts.create(Pem.readCertificate(keys.clientRoot()),
                            Pem.readCertificate(keys.clientCert()), Pem.readPrivateKey(keys.clientKey()));
                    for (int i = 0; i < TLS_CLIENTS; i++) {
                        r.tls.add(new LoadClient("tls-" + i, tlsPort, ctx, password, RATE).start());
                    }
                }
                String after = "after " + step.name().split(" ")[0];
                steady(r, after);
                r.identities.add(after + ": " + observe(r, after));
            }
            for (LoadClient c : r.plain) {
                c.stop();
            }
            for (LoadClient c : r.tls) {
                c.stop();
            }
            return r;
        } catch (Exception | Error e) {
            System.err.println("scenario " + id + " failed; redis log tail:\n" + redis.logTail());
            throw e;
        } finally {
            redis.stop();
            delete(dir);
        }
    }

    /** Who the server is now, and what blocked its event loop since the last look (for window {@code name}). */
    private static String observe(Result r, String name) throws IOException {
        try (Control c = Control.connect(r.port, r.password)) {
            List<String> slow = c.slowCommands();
            if (name != null && !slow.isEmpty()) {
                r.slow.put(name, slow);
            }
            return c.identity();
        }
    }

    private static void steady(Result r, String name) throws InterruptedException {
        Thread.sleep(STEADY_MS);
        window(r, name, "");
    }

    private static void window(Result r, String name, String wallTime) {
        long now = System.nanoTime();
        r.windows.add(new PhaseStats.Window(name, wallTime, r.mark, now));
        r.mark = now;
    }

    /** Scenario A: redis-tls commands, in-process, each applied live with CONFIG SET. */
    private static List<Step> liveSteps(Result r, Path conf, Path keys, Path ca, int tlsPort) {
        String c = conf.toString();
        String k = keys.toString();
        return List.of(
                new Step("install (redis-tls install)", () -> cli(r, "install", "--conf", c, "--keys-dir", k,
                        "--ca-home", ca.toString(), "--tls-port", String.valueOf(tlsPort), "--owner", USER,
                        "--firewall", "none")),
                new Step("reissue (redis-tls reissue)", () -> cli(r, "reissue", "--conf", c, "--keys-dir", k,
                        "--ca-home", ca.toString(), "--owner", USER)),
                new Step("configure (redis-tls configure --auth-clients yes)", () -> cli(r, "configure", "--conf", c,
                        "--keys-dir", k, "--auth-clients", "yes", "--firewall", "none")),
                new Step("uninstall (redis-tls uninstall)", () -> cli(r, "uninstall", "--conf", c, "--keys-dir", k,
                        "--firewall", "none")));
    }

    private static String cli(Result r, String... args) {
        long start = System.nanoTime();
        Cli.Result res = Cli.run(args);
        long ms = (System.nanoTime() - start) / 1_000_000;
        r.commands.add("`redis-tls " + args[0] + "`: exit " + res.exitCode() + ", " + ms + " ms");
        if (res.exitCode() != 0) {
            throw new IllegalStateException("redis-tls " + String.join(" ", args) + " failed: " + res);
        }
        return ms + " ms";
    }

    /**
     * Scenario B, the add-on's documented way: certificates made (here by {@code redis-tls certs}, the add-on's
     * selfcertgen), the tls-* lines written into redis.conf, then "restart the Redis container to apply the changes".
     * The restart is the best case for it: SIGTERM, wait for exit, start again at once, no container or systemd.
     */
    private static List<Step> restartSteps(Result r, Path conf, KeysDir keys, Path ca, int tlsPort, byte[] original,
                                           RedisProcess redis) {
        String tlsLines = "\n# TLS, as the add-on's documentation has it\n"
                + "tls-port " + tlsPort + "\n"
                + "tls-cert-file " + keys.serverCert() + "\n"
                + "tls-key-file " + keys.serverKey() + "\n"
                + "tls-ca-cert-file " + keys.serverRoot() + "\n"
                + "tls-auth-clients optional\n";
        return List.of(
                new Step("install (certs + edit redis.conf + restart)", () -> {
                    long start = System.nanoTime();
                    certs(r, keys, ca, false);
                    Files.writeString(conf, new String(original, StandardCharsets.UTF_8) + tlsLines);
                    return restart(r, redis, tlsPort, start);
                }),
                new Step("reissue (certs --force + restart)", () -> {
                    long start = System.nanoTime();
                    certs(r, keys, ca, true);
                    return restart(r, redis, tlsPort, start);
                }),
                new Step("configure (tls-auth-clients yes + restart)", () -> {
                    long start = System.nanoTime();
                    Files.writeString(conf, Files.readString(conf).replace("tls-auth-clients optional", "tls-auth-clients yes"));
                    return restart(r, redis, tlsPort, start);
                }),
                new Step("uninstall (original redis.conf + restart)", () -> {
                    long start = System.nanoTime();
                    Files.write(conf, original);
                    return restart(r, redis, -1, start);
                }));
    }

    private static void certs(Result r, KeysDir keys, Path ca, boolean force) {
        List<String> args = new ArrayList<>(List.of("certs", "--keys-dir", keys.dir().toString(), "--ca-home",
                ca.toString(), "--owner", USER));
        if (force) {
            args.add("--force");
        }
        cli(r, args.toArray(new String[0]));
    }

    private static String restart(Result r, RedisProcess redis, int tlsPort, long changeStart) throws Exception {
        long down = System.nanoTime();
        redis.stop();
        long stopped = System.nanoTime();
        redis.start(tlsPort);
        long up = System.nanoTime();
        String s = String.format(Locale.ROOT, "%d ms (restart %d ms: stop %d + start to first PONG %d)",
                (up - changeStart) / 1_000_000, (up - down) / 1_000_000, (stopped - down) / 1_000_000,
                (up - stopped) / 1_000_000);
        r.commands.add("restart of redis-server: " + s);
        return s;
    }

    // ---- the server

    /**
     * Stock Debian 12 redis.conf, with only what a temp-dir run must change edited in place, plus requirepass; and
     * the slowlog threshold lowered to 1 ms so that a command blocking the event loop shows up.
     */
    static String debianConf(String template, Path dir, int port, String password) {
        String body = template.lines().map(l -> {
            if (l.equals("port 6379")) {
                return "port " + port;
            } else if (l.equals("daemonize yes")) {
                return "daemonize no";
            } else if (l.startsWith("pidfile ")) {
                return "pidfile " + dir.resolve("redis.pid");
            } else if (l.startsWith("logfile ")) {
                return "logfile " + dir.resolve("redis.log");
            } else if (l.startsWith("dir ")) {
                return "dir " + dir;
            } else if (l.startsWith("slowlog-log-slower-than ")) {
                return "slowlog-log-slower-than 1000";
            }
            return l;
        }).collect(Collectors.joining("\n", "", "\n"));
        return body + "requirepass " + password + "\n";
    }

    private static final class RedisProcess {
        private final Path conf;
        private final Path dir;
        private final int port;
        private final String password;
        private Process process;

        RedisProcess(Path conf, Path dir, int port, String password) {
            this.conf = conf;
            this.dir = dir;
            this.port = port;
            this.password = password;
        }

        void start(int tlsPort) throws IOException, InterruptedException {
            process = new ProcessBuilder("redis-server", conf.toString()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("stdout.log").toFile())).start();
            awaitListening(port);
            if (tlsPort > 0) {
                awaitListening(tlsPort);
            }
            awaitServing();
        }

        /** Redis listens before it has loaded its dataset, answering -LOADING meanwhile: wait for a PONG. */
        private void awaitServing() throws IOException, InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            try (Control c = Control.connect(port, password)) {
                while (!c.pongs()) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("redis-server still loading after 60 s");
                    }
                    Thread.sleep(2);
                }
            }
        }

        void stop() throws InterruptedException {
            if (process != null && process.isAlive()) {
                process.destroy();
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            }
        }

        String logTail() {
            try {
                List<String> lines = Files.readAllLines(dir.resolve("redis.log"));
                return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
            } catch (IOException e) {
                return "(no log)";
            }
        }

        private void awaitListening(int p) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("redis-server exited: " + logTail());
                }
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", p), 200);
                    return;
                } catch (IOException e) {
                    Thread.sleep(2);
                }
            }
            throw new IllegalStateException("redis-server did not listen on " + p);
        }
    }

    // ---- the report

    private static String markdown(List<Result> results) {
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "Load: %d plain clients throughout; %d TLS clients (client certificate, "
                        + "server host name verified) from right after install to the end. Each client sends %d "
                        + "requests/s on one persistent connection (SET k v, then GET k must answer v; 2 s timeout); "
                        + "a failed request drops the connection and the next one reconnects (\"reconnects\" counts "
                        + "connections re-established). %d ms of steady load "
                        + "between changes, after %d ms of warm-up. Latency is send-to-reply of successful requests, "
                        + "including a reconnect (TCP, TLS handshake, AUTH) when the request had to make one. "
                        + "\"Longest outage\": from a client's last reply before failed requests to its first reply "
                        + "after them; it is the measure of unavailability, while \"failed\" counts attempts: a client "
                        + "waiting for a reply (as during the save on shutdown) makes no new ones. At uninstall the TLS port closes on purpose: a TLS client whose connection "
                        + "breaks and whose reconnect is refused stops (it would have to move to the plain port).%n%n",
                PLAIN_CLIENTS, TLS_CLIENTS, RATE, STEADY_MS, WARMUP_MS));
        md.append("Dataset: as a production node has data, " + String.format(Locale.ROOT, "%,d", DATASET_KEYS)
                + " keys of 100 bytes are loaded before the load starts (`-Dbench.datasetKeys=N`); with the stock "
                + "config's save points a restart saves them on the way down and loads them on the way up. "
                + "B0 is the restart's best case: no dataset.\n\n");
        md.append("### Side by side (all phases)\n\n|");
        results.forEach(r -> md.append(" | ").append(r.id).append(": ").append(r.id.equals("A") ? "redis-tls, live"
                : "edit + restart").append(", ").append(r.dataset()));
        md.append(" |\n|---|").append("---:|".repeat(results.size())).append('\n');
        side(md, "failed requests, plain clients", results, r -> total(r, r.plain).failed());
        side(md, "failed requests, TLS clients", results, r -> total(r, r.tls).failed());
        side(md, "reconnects, plain clients", results, r -> total(r, r.plain).reconnects());
        side(md, "reconnects, TLS clients", results, r -> total(r, r.tls).reconnects());
        side(md, "TLS clients cut off by uninstall", results, LiveChangeBenchmark::cutOff);
        side(md, "longest outage, plain clients", results, r -> outage(total(r, r.plain)));
        side(md, "requests/s, plain clients (offered: " + PLAIN_CLIENTS * RATE + ")", results,
                r -> fmt("%.0f", total(r, r.plain).requestsPerSecond()));
        side(md, "p99 / max latency, plain clients, all phases", results,
                r -> ms(total(r, r.plain).p99Ms()) + " / " + ms(total(r, r.plain).maxMs()) + " ms");
        side(md, "redis-server runs (distinct run_id)", results, LiveChangeBenchmark::distinctRuns);
        md.append('\n');
        results.forEach(r -> section(md, r.id + " — " + r.title + "; " + r.dataset(), r));
        return md.toString();
    }

    /**
     * The install of each scenario as a time series (plain clients' successful requests per second in 100 ms bins,
     * from 1.5 s before the change started to 5 s after), written as PNG and CSV into {@code dir}; returns the
     * Markdown that embeds them.
     */
    private static String plot(List<Result> results, Path dir) throws IOException {
        List<ThroughputSeries> series = new ArrayList<>();
        for (Result r : results) {
            PhaseStats.Window install = r.windows.get(1);
            String name = r.id + ": " + (r.id.equals("A") ? "redis-tls install, live" : "edit redis.conf + restart")
                    + ", " + r.dataset();
            series.add(ThroughputSeries.of(name, r.plain, install.start(), install.end(), -1500, 5000, BIN_MS));
        }
        Files.createDirectories(dir);
        ThroughputPlot.write(dir.resolve(PLOT + ".png"), String.format(Locale.ROOT,
                        "Throughput of %d plain clients while TLS is installed (%d ms bins)", PLAIN_CLIENTS, BIN_MS),
                "successful requests/s", series);
        Files.writeString(dir.resolve(PLOT + ".csv"), ThroughputSeries.csv(series));
        StringBuilder md = new StringBuilder("### Throughput over time during install\n\n");
        md.append(String.format(Locale.ROOT, "![Requests/s of the plain clients in %d ms bins, from 1.5 s before "
                + "the install started to 5 s after: A (redis-tls, live) vs B0 and B (edit redis.conf and restart)]"
                + "(%s.png)%n%n", BIN_MS, PLOT));
        md.append(String.format(Locale.ROOT, "The %d plain clients' successful requests per second (offered: %d), "
                + "counted in %d ms bins by when each reply arrived, around the install of each scenario above "
                + "(0 = the change starts; the shaded band lasts until it finished). A bar above the offered rate right "
                + "after a gap is requests that had been waiting, answered together. Data: [%s.csv](%s.csv).%n%n",
                PLAIN_CLIENTS, PLAIN_CLIENTS * RATE, BIN_MS, PLOT, PLOT));
        md.append("| scenario | change took | lowest bin from its start to 1 s after its end | empty bins (no reply at all) |\n");
        md.append("|---|---:|---:|---:|\n");
        for (ThroughputSeries s : series) {
            md.append(String.format(Locale.ROOT, "| %s | %d ms | %.0f requests/s | %d (%d ms) |%n", s.name(), s.changeMs(),
                    s.lowestFromChange(), s.emptyBinsFromChange(), s.emptyBinsFromChange() * BIN_MS));
        }
        return md.append('\n').toString();
    }

    private static void side(StringBuilder md, String what, List<Result> results,
                             java.util.function.Function<Result, Object> value) {
        md.append("| ").append(what);
        results.forEach(r -> md.append(" | ").append(value.apply(r)));
        md.append(" |\n");
    }

    private static void section(StringBuilder md, String title, Result r) {
        md.append("### ").append(title).append("\n\n");
        md.append("| phase | clients | change took | req/s | p50 ms | p99 ms | max ms | failed | reconnects | longest outage |\n");
        md.append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (PhaseStats.Window w : r.windows) {
            row(md, w.name(), "plain", w.wallTime(), PhaseStats.of(w, r.plain));
            PhaseStats t = PhaseStats.of(w, r.tls);
            if (t.ok() + t.failed() > 0) {
                row(md, w.name(), "TLS", w.wallTime(), t);
            }
        }
        row(md, "**all phases**", "plain", "", total(r, r.plain));
        row(md, "**all phases** (since install)", "TLS", "", total(r, r.tls));
        md.append("\nredis-server at each phase boundary: ").append(String.join("; ", r.identities)).append(".\n\n");
        md.append("Changes: ").append(String.join("; ", r.commands)).append(".\n\n");
        if (r.slow.isEmpty()) {
            md.append("Commands that blocked redis-server's event loop for 1 ms or more (SLOWLOG): none.\n\n");
        } else {
            md.append("Commands that blocked redis-server's event loop for 1 ms or more (SLOWLOG):\n\n");
            r.slow.forEach((phase, cmds) -> md.append("- ").append(phase).append(": ").append(String.join(", ", cmds)).append('\n'));
            md.append('\n');
        }
        List<LoadClient.Failure> failures = Stream.concat(r.plain.stream(), r.tls.stream())
                .flatMap(c -> c.failures.stream()).sorted(Comparator.comparingLong(LoadClient.Failure::at)).toList();
        if (failures.isEmpty()) {
            md.append("Failed requests: none.\n\n");
        } else {
            md.append("Failed requests, by phase and cause:\n\n");
            failures.stream().collect(Collectors.groupingBy(
                    f -> phaseOf(r, f.at()) + ", " + f.client().replaceAll("-\\d+$", "") + " clients: " + f.what().replace("|", "/"),
                    java.util.LinkedHashMap::new, Collectors.counting()))
                    .forEach((what, n) -> md.append("- ").append(n).append(" × ").append(what).append('\n'));
            md.append('\n');
        }
    }

    private static void row(StringBuilder md, String phase, String kind, String wall, PhaseStats s) {
        md.append(String.format(Locale.ROOT, "| %s | %s | %s | %.0f | %s | %s | %s | %d | %d | %s |%n", phase, kind, wall,
                s.requestsPerSecond(), ms(s.p50Ms()), ms(s.p99Ms()), ms(s.maxMs()), s.failed(), s.reconnects(), outage(s)));
    }

    private static String outage(PhaseStats s) {
        if (s.unrecovered()) {
            return "until the client stopped";
        }
        return s.longestOutageMs() == 0 ? "none" : fmt("%.0f ms", s.longestOutageMs());
    }

    private static String ms(double v) {
        return Double.isNaN(v) ? "–" : fmt("%.2f", v);
    }

    private static String fmt(String format, double v) {
        return String.format(Locale.ROOT, format, v);
    }

    /** The clients' numbers from the first window in which any of them sent a request to the end. */
    private static PhaseStats total(Result r, List<LoadClient> clients) {
        long first = clients.stream().filter(c -> c.count() > 0).mapToLong(c -> c.sentAt(0)).min().orElse(0);
        PhaseStats.Window from = r.windows.stream().filter(w -> w.end() > first).findFirst().orElseThrow();
        return PhaseStats.of(new PhaseStats.Window("all", "", from.start(), r.windows.get(r.windows.size() - 1).end()),
                clients);
    }

    private static long cutOff(Result r) {
        return r.tls.stream().filter(c -> !c.endedBecause.startsWith("stopped")).count();
    }

    private static long distinctRuns(Result r) {
        return r.identities.stream().map(s -> s.substring(s.indexOf("run_id"))).distinct().count();
    }

    private static String phaseOf(Result r, long t) {
        for (PhaseStats.Window w : r.windows) {
            if (w.contains(t)) {
                return w.name();
            }
        }
        return "outside the measured phases";
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
