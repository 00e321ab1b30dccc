package dev.redistls.pki;

import dev.redistls.RedisTlsException;
import dev.redistls.host.HostFacts;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The names a node certificate is valid for: its host name and FQDN, every non-loopback address of the host,
 * the loopback names, and whatever the operator adds. A SAN value is an IP address or a DNS name, told apart
 * by its syntax (never by a DNS lookup).
 */
public final class SubjectNames {
    private static final Pattern DNS_LABEL = Pattern.compile("(?!-)[A-Za-z0-9-]{1,63}(?<!-)");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private final Set<String> dnsNames = new LinkedHashSet<>();
    private final Set<String> ipAddresses = new LinkedHashSet<>();

    /** Adds a value given by a person: an IP literal, or a DNS name (optionally a leading wildcard label). */
    public SubjectNames add(String value) {
        String v = value == null ? "" : value.trim();
        String ip = ipLiteral(v);
        if (ip != null) {
            ipAddresses.add(ip);
        } else if (isDnsName(v)) {
            dnsNames.add(v.toLowerCase(Locale.ROOT));
        } else {
            throw RedisTlsException.badInput("invalid --san '" + value + "': not an IP address or a DNS name");
        }
        return this;
    }

    /**
     * The names of the node at {@code hostname} on the host {@code facts} describe, as PRODUCT.md lists them: the
     * name, the host's FQDN when the name is the host's own, every non-loopback address of that host, the loopback
     * names, and what the operator adds.
     */
    public static SubjectNames forNode(String hostname, List<String> extra, HostFacts facts) {
        SubjectNames names = new SubjectNames();
        String h = hostname == null ? "" : hostname.trim();
        if (h.contains("*") || (ipLiteral(h) == null && !isDnsName(h))) {
            throw RedisTlsException.badInput("invalid --hostname '" + hostname + "': not a host name or an IP address");
        }
        names.add(h);
        if (h.equalsIgnoreCase(facts.hostName())) {
            facts.fqdn().filter(SubjectNames::isDnsName).ifPresent(names::add);
            for (String ip : facts.addresses()) {
                names.add(ip);
            }
        }
        names.add("localhost").add("127.0.0.1").add("::1");
        for (String e : extra) {
            names.add(e);
        }
        return names;
    }

    public List<String> dnsNames() {
        return List.copyOf(dnsNames);
    }

    public List<String> ipAddresses() {
        return List.copyOf(ipAddresses);
    }

    public GeneralNames toGeneralNames() {
        List<GeneralName> list = new ArrayList<>();
        dnsNames.forEach(d -> list.add(new GeneralName(GeneralName.dNSName, d)));
        ipAddresses.forEach(i -> list.add(new GeneralName(GeneralName.iPAddress, i)));
        return new GeneralNames(list.toArray(new GeneralName[0]));
    }

    static String ipLiteral(String v) {
        boolean v4 = IPV4.matcher(v).matches();
        boolean v6 = v.contains(":") && v.matches("[0-9A-Fa-f:.]+");
        if (!v4 && !v6) {
            return null;
        }
        if (v4) {
            for (String octet : v.split("\\.")) {
                if (Integer.parseInt(octet) > 255) {
                    return null;
                }
            }
        }
        try {
            // A literal never triggers a lookup.
            InetAddress a = InetAddress.getByName(v);
            return normalize(a);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static String normalize(InetAddress a) {
        String s = a.getHostAddress();
        int zone = s.indexOf('%');
        return zone >= 0 ? s.substring(0, zone) : s;
    }

    static boolean isDnsName(String v) {
        if (v.isEmpty() || v.length() > 253 || IPV4.matcher(v).matches()) {
            return false;
        }
        String name = v.endsWith(".") ? v.substring(0, v.length() - 1) : v;
        String[] labels = name.split("\\.", -1);
        // An all-numeric last label is no DNS name (RFC 3696 2): "1.2.3" is a mistyped address, and resolvers
        // would read it as one.
        if (labels.length > 1 && labels[labels.length - 1].chars().allMatch(Character::isDigit)) {
            return false;
        }
        for (int i = 0; i < labels.length; i++) {
            if (i == 0 && labels[i].equals("*") && labels.length > 2) {
                continue;
            }
            if (!DNS_LABEL.matcher(labels[i]).matches()) {
                return false;
            }
        }
        return true;
    }
}
