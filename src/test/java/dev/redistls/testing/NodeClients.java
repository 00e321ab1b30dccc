package dev.redistls.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The Node.js Redis clients pinned by src/test/client-apps/node/package-lock.json, installed by {@code npm ci} from
 * the npm registry into target/client-apps/node, and a driver (check.mjs) that runs a printed snippet there as an
 * application would. A snippet is saved beside node_modules so that its {@code import 'redis'} resolves as in an app.
 */
public final class NodeClients {
    private static final Path SOURCES = Path.of("src/test/client-apps/node").toAbsolutePath();
    private static final Path HOME = Path.of("target/client-apps/node").toAbsolutePath();
    private static final List<String> FILES = List.of("package.json", "package-lock.json", ".npmrc", "check.mjs");

    private NodeClients() {
    }

    /** Node.js 18 or later (Debian 12's; what the pinned clients require), and exactly the locked packages. */
    public static NodeClients install() {
        Processes.Output version = Processes.run(null, Map.of(), List.of("node", "--version"), Duration.ofSeconds(30));
        if (version.exitCode() != 0 || Integer.parseInt(version.out().strip().replaceAll("^v(\\d+)\\..*", "$1")) < 18) {
            throw new AssertionError("Node.js 18 or later is needed (scripts/install-deps --tests): " + version.out());
        }
        try {
            Files.createDirectories(HOME.resolve("snippets"));
            for (String f : FILES) {
                Files.copy(SOURCES.resolve(f), HOME.resolve(f), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Processes.Output ci = Processes.run(HOME, Map.of(), List.of("npm", "ci", "--no-audit", "--no-fund"),
                Duration.ofMinutes(5));
        if (ci.exitCode() != 0) {
            throw new AssertionError("npm ci failed in " + HOME + ":\n" + ci.out());
        }
        return new NodeClients();
    }

    /**
     * Saves {@code module} as snippets/{@code name}.mjs and runs it with {@code client} ("node-redis" or "ioredis"):
     * SET {@code key} {@code value}, then GET. Secrets come in {@code env}.
     */
    public Processes.Output run(String client, String name, String module, Map<String, String> env, String key, String value) {
        Path file = HOME.resolve("snippets").resolve(name + ".mjs");
        try {
            Files.writeString(file, module);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return Processes.run(HOME, env, List.of("node", "check.mjs", client, file.toString(), key, value),
                Duration.ofSeconds(60));
    }
}
