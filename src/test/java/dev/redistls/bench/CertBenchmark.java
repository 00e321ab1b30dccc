package dev.redistls.bench;

import dev.redistls.pki.CertProfile;
import dev.redistls.pki.CertificateAuthority;
import dev.redistls.pki.KeyType;
import dev.redistls.pki.SubjectNames;

import java.security.KeyPair;
import java.util.List;
import java.util.function.IntSupplier;

/**
 * Certificates issued per second for each key type, in a warm JVM, printed as Markdown table rows. Not a test:
 * run by {@code scripts/bench-certs}, which also times the CLI from a cold JVM and writes docs/benchmarks.md.
 *
 * <p>Two numbers per key type: "sign" re-uses one key pair and measures building and signing the certificate
 * (what a root does per certificate); "key + sign" is what {@code certs} does per leaf: a new key pair, then sign.
 * Root and leaves have the same key type, as {@code certs --key-type} makes them with an empty CA home.
 */
public final class CertBenchmark {
    /** Each round runs at least this long and at least {@link #MIN_OPS} times. */
    static final long MIN_NANOS = Long.getLong("bench.seconds", 1) * 1_000_000_000L;
    static final int MIN_OPS = 5;
    /**
     * The best of several rounds is reported: on a shared machine other work only ever slows a round down, so
     * the fastest round is the closest to what the code itself costs.
     */
    static final int ROUNDS = 3;

    private CertBenchmark() {
    }

    public static void main(String[] args) {
        System.out.println("| key type | sign (certs/s) | key + sign (certs/s) |");
        System.out.println("|---|---:|---:|");
        for (KeyType type : KeyType.values()) {
            CertificateAuthority ca = CertificateAuthority.createRoot("bench", type, CertificateAuthority.ROOT_DAYS);
            SubjectNames names = SubjectNames.forNode("bench-node.test", List.of("10.0.0.1"), new dev.redistls.host.LocalHost().facts());
            KeyPair reused = type.generate();
            IntSupplier sign = () -> ca.issue(CertProfile.NODE, "bench-node.test", reused.getPublic(),
                    names.toGeneralNames(), CertificateAuthority.LEAF_DAYS).getVersion();
            IntSupplier keyAndSign = () -> ca.issueNode("bench-node.test", names, type, CertificateAuthority.LEAF_DAYS)
                    .certificate().getVersion();
            measure(sign, MIN_NANOS / 3); // warm-up: JIT and provider caches
            measure(keyAndSign, MIN_NANOS / 3);
            System.out.printf("| %s | %s | %s |%n", type.label(), rate(best(sign)), rate(best(keyAndSign)));
        }
    }

    static double best(IntSupplier op) {
        double best = 0;
        for (int i = 0; i < ROUNDS; i++) {
            best = Math.max(best, measure(op, MIN_NANOS));
        }
        return best;
    }

    /** Operations per second over a run of at least {@code nanos} and {@link #MIN_OPS} operations. */
    static double measure(IntSupplier op, long nanos) {
        int ops = 0;
        int sink = 0;
        long start = System.nanoTime();
        long elapsed;
        do {
            sink += op.getAsInt();
            ops++;
            elapsed = System.nanoTime() - start;
        } while (elapsed < nanos || ops < MIN_OPS);
        if (sink != 3 * ops) { // every certificate is X.509 v3; also keeps the work from being optimised away
            throw new IllegalStateException("a certificate was not version 3");
        }
        return ops * 1e9 / elapsed;
    }

    static String rate(double perSecond) {
        return perSecond >= 100 ? String.format("%,.0f", perSecond) : String.format("%.1f", perSecond);
    }
}
