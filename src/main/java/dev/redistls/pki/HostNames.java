package dev.redistls.pki;

import dev.redistls.host.HostFacts;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A node certificate against the host it is on now: a host that moved (migration, clone, new address) keeps
 * serving a certificate for names it no longer has, and clients that verify names fail on the new ones. Missing:
 * the host's name or one of its current addresses is not in the certificate. Stale: an address in the certificate
 * that the host no longer has (loopback excepted).
 */
public final class HostNames {
    /** What {@link #check} found. */
    public record Check(String hostName, List<String> addresses, List<String> missing, List<String> stale) {
        public boolean ok() {
            return missing.isEmpty();
        }

        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("hostName", hostName);
            m.put("addresses", addresses);
            m.put("missing", missing);
            m.put("stale", stale);
            return m;
        }
    }

    private HostNames() {
    }

    public static Check check(X509Certificate server, HostFacts facts) {
        List<String> sans = CertInfo.sans(server);
        List<String> missing = new ArrayList<>();
        String host = facts.hostName();
        if (!sans.contains("DNS:" + host.toLowerCase(Locale.ROOT))) {
            missing.add(host);
        }
        List<String> ips = sans.stream().filter(s -> s.startsWith("IP:")).map(s -> s.substring(3)).toList();
        for (String ip : facts.addresses()) {
            if (ips.stream().noneMatch(i -> sameIp(i, ip))) {
                missing.add(ip);
            }
        }
        List<String> stale = new ArrayList<>();
        for (String ip : ips) {
            if (!isLoopback(ip) && facts.addresses().stream().noneMatch(a -> sameIp(a, ip))) {
                stale.add(ip);
            }
        }
        return new Check(host, facts.addresses(), List.copyOf(missing), List.copyOf(stale));
    }

    /**
     * The names of a reissued certificate that keeps its old ones: the old certificate's SANs, the host's current
     * name, FQDN and addresses, and {@code extra}.
     */
    public static SubjectNames kept(X509Certificate old, HostFacts facts, List<String> extra) {
        SubjectNames names = new SubjectNames();
        for (String san : CertInfo.sans(old)) {
            names.add(san.substring(san.indexOf(':') + 1));
        }
        names.add(facts.hostName());
        facts.fqdn().filter(SubjectNames::isDnsName).ifPresent(names::add);
        facts.addresses().forEach(names::add);
        extra.forEach(names::add);
        return names;
    }

    private static boolean isLoopback(String ip) {
        try {
            return InetAddress.getByName(ip).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static boolean sameIp(String a, String b) {
        try {
            // Literals only: getByName never looks an IP literal up.
            return InetAddress.getByName(a).equals(InetAddress.getByName(b));
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
