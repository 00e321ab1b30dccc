package dev.redistls.install;

import dev.redistls.conf.EffectiveConf;
import dev.redistls.conf.TlsSettings;

import java.util.LinkedHashMap;
import java.util.Map;

/** The CONFIG SET values that make a live node match a configuration. */
final class LiveValues {
    private LiveValues() {
    }

    static Map<String, String> of(TlsSettings s) {
        Map<String, String> m = new LinkedHashMap<>();
        s.directives().forEach((k, v) -> m.put(k, v.get(0)));
        return m;
    }

    /** What a config without the tool's lines means live: Redis's defaults where a directive is absent. */
    static Map<String, String> of(EffectiveConf c) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("tls-cert-file", c.value("tls-cert-file").orElse(""));
        m.put("tls-key-file", c.value("tls-key-file").orElse(""));
        m.put("tls-ca-cert-file", c.value("tls-ca-cert-file").orElse(""));
        m.put("tls-auth-clients", c.value("tls-auth-clients").orElse("yes"));
        m.put("tls-protocols", c.value("tls-protocols").orElse(""));
        m.put("tls-ciphers", c.value("tls-ciphers").orElse(""));
        m.put("tls-ciphersuites", c.value("tls-ciphersuites").orElse(""));
        m.put("tls-prefer-server-ciphers", c.value("tls-prefer-server-ciphers").orElse("no"));
        m.put("tls-replication", c.value("tls-replication").orElse("no"));
        m.put("tls-cluster", c.value("tls-cluster").orElse("no"));
        m.put("port", c.value("port").orElse("6379"));
        m.put("tls-port", c.value("tls-port").orElse("0"));
        return m;
    }
}
