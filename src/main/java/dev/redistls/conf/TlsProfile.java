package dev.redistls.conf;

import dev.redistls.RedisTlsException;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a node's TLS port may speak: the protocol versions and cipher suites the tool writes and proves.
 * <ul>
 *   <li>{@code intermediate} (default): Mozilla's "intermediate" server profile (v5.7) without its DHE suites —
 *       TLS 1.2 and 1.3, ECDHE key exchange (forward secrecy) with AEAD ciphers only (AES-GCM, ChaCha20-Poly1305).
 *       Every client of the last decade speaks it (Java 8u161+, OpenSSL 1.0.2+, Go, .NET). DHE is left out: it needs
 *       Diffie-Hellman parameters and costs more CPU for nothing ECDHE does not give.</li>
 *   <li>{@code modern}: TLS 1.3 only (its suites are all AEAD and forward secret).</li>
 * </ul>
 * No NULL, anonymous, export, RC4, DES/3DES, CBC or static-RSA suite is ever offered; a weaker setting found in the
 * config is replaced (and reported as a change).
 */
public enum TlsProfile {
    INTERMEDIATE("TLSv1.2 TLSv1.3"),
    MODERN("TLSv1.3");

    /** OpenSSL names of the TLS 1.2 suites (tls-ciphers). */
    public static final String TLS12_CIPHERS = String.join(":",
            "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",
            "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
            "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305");

    /** The TLS 1.3 suites (tls-ciphersuites): all of them are AEAD and forward secret. */
    public static final String TLS13_SUITES = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";

    /** What the tool's own probes offer (the JDK's names). */
    public static final String[] JAVA_PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    /** Suites no node of ours may accept, offered alone by the proof to see them refused: CBC with SHA-1, static RSA. */
    public static final List<String> WEAK_JAVA_SUITES = List.of(
            "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
            "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
            "TLS_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_256_GCM_SHA384", "TLS_RSA_WITH_AES_128_CBC_SHA");

    private final String protocols;

    TlsProfile(String protocols) {
        this.protocols = protocols;
    }

    public static TlsProfile parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw RedisTlsException.badInput("unknown --tls-profile '" + s + "': use intermediate or modern");
        }
    }

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    public String protocols() {
        return protocols;
    }

    /** The directives (CONFIG SET names) this profile owns, with their values. */
    public Map<String, String> directives() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("tls-protocols", protocols);
        d.put("tls-ciphers", TLS12_CIPHERS);
        d.put("tls-ciphersuites", TLS13_SUITES);
        d.put("tls-prefer-server-ciphers", "yes");
        return d;
    }

    /** The profile whose directives these live values are, if any. */
    public static java.util.Optional<TlsProfile> of(Map<String, String> live) {
        for (TlsProfile p : values()) {
            boolean all = p.directives().entrySet().stream().allMatch(e -> sameList(e.getValue(), live.get(e.getKey())));
            if (all) {
                return java.util.Optional.of(p);
            }
        }
        return java.util.Optional.empty();
    }

    private static boolean sameList(String want, String got) {
        if (got == null) {
            return false;
        }
        return normalize(want).equals(normalize(got));
    }

    private static String normalize(String s) {
        return String.join(" ", s.trim().toLowerCase(Locale.ROOT).split("[\\s:]+"));
    }

    /**
     * Whether a value found in the config for one of this profile's directives allows nothing the profile does not
     * (a subset of its protocols or suites; exclusions such as {@code !aNULL} add nothing). Cipher-string keywords
     * (ALL, HIGH, DEFAULT ...) always allow more than the profile's suites.
     */
    public boolean allowsNoMoreThan(String directive, String value) {
        Set<String> granted = granted(value);
        return !granted.isEmpty() && allowed(directive).containsAll(granted);
    }

    /** Whether such a value allows strictly less than the profile: replacing it widens it, which is no hardening. */
    public boolean allowsLessThan(String directive, String value) {
        return allowsNoMoreThan(directive, value) && granted(value).size() < allowed(directive).size();
    }

    private Set<String> allowed(String directive) {
        return granted(switch (directive) {
            case "tls-protocols" -> protocols;
            case "tls-ciphers" -> TLS12_CIPHERS;
            case "tls-ciphersuites" -> TLS13_SUITES;
            case "tls-prefer-server-ciphers" -> "yes";
            default -> "";
        });
    }

    private static Set<String> granted(String value) {
        return Arrays.stream(value.trim().toLowerCase(Locale.ROOT).split("[\\s:,]+"))
                .filter(w -> !w.isEmpty() && !w.startsWith("!") && !w.startsWith("-"))
                .collect(Collectors.toSet());
    }

    /** Whether a negotiated suite (JDK name) is one this profile allows. */
    public boolean allows(String protocol, String javaSuite) {
        if (!protocols.contains(protocol)) {
            return false;
        }
        return javaSuite.startsWith("TLS_AES_") || javaSuite.startsWith("TLS_CHACHA20_")
                || (javaSuite.startsWith("TLS_ECDHE_") && (javaSuite.contains("_GCM_") || javaSuite.contains("CHACHA20_POLY1305")));
    }
}
