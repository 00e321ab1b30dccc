package dev.redistls.cli;

import dev.redistls.pki.CaHome;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** --ca-home alone, for the commands that act on the CA and nothing else. */
public final class CaHomeOption {
    @Option(names = "--ca-home", paramLabel = "DIR",
            description = "Where the root CA lives (default: $REDIS_TLS_CA_HOME, else ~/.local/share/redis-tls/ca).")
    Path caHome;

    public CaHome caHome() {
        return CaHome.resolve(caHome);
    }
}
