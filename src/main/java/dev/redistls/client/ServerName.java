package dev.redistls.client;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * Whether a server certificate is for the name a client connects to, checked as HTTPS checks it (RFC 2818, RFC
 * 6125): an IP literal against the iPAddress names; a DNS name against the dNSName names, case insensitive, a
 * wildcard only as the whole leftmost label of a name of three labels or more, matching exactly one label; the
 * subject's most specific CN only when the certificate has no dNSName at all.
 * <p>
 * The client does this itself rather than asking JSSE for "HTTPS" endpoint identification: for that check JSSE
 * first loads the JDK's whole cacerts store (to know whether the chain ends at a public CA), about 60 ms of a cold
 * {@code cli PING} that trusts one private root. The failures say what JSSE's would, word for word, so that
 * {@link TlsErrors} reads both alike.
 */
final class ServerName {
    private static final int DNS = 2;
    private static final int IP = 7;

    private ServerName() {
    }

    /** Throws unless {@code cert} is for {@code name} (a host name or an IP literal). */
    static void verify(X509Certificate cert, String name) throws CertificateException {
        InetAddress ip = ipLiteral(name);
        if (ip != null) {
            for (String san : names(cert, IP)) {
                if (ip.equals(ipLiteral(san))) {
                    return;
                }
            }
            throw new CertificateException("No subject alternative names matching IP address " + name + " found");
        }
        List<String> dns = names(cert, DNS);
        if (!dns.isEmpty()) {
            if (matches(cert, name)) {
                return;
            }
            throw new CertificateException("No subject alternative DNS name matching " + name + " found.");
        }
        String cn = mostSpecificCommonName(cert);
        if (cn == null || !matchesPattern(normal(cn), normal(name))) {
            throw new CertificateException("No name matching " + name + " found");
        }
    }

    /** Whether a dNSName of {@code cert} matches the DNS name {@code hostName}. */
    static boolean matches(X509Certificate cert, String hostName) {
        String host = normal(hostName);
        for (String san : names(cert, DNS)) {
            if (matchesPattern(normal(san), host)) {
                return true;
            }
        }
        return false;
    }

    static boolean matchesPattern(String pattern, String host) {
        if (!pattern.startsWith("*.")) {
            return pattern.equals(host);
        }
        // "*.com" would match every name of a top-level domain: a wildcard needs two labels after it.
        if (pattern.indexOf('.', 2) < 0) {
            return false;
        }
        int dot = host.indexOf('.');
        return dot > 0 && host.substring(dot).equals(pattern.substring(1));
    }

    private static List<String> names(X509Certificate cert, int type) {
        Collection<List<?>> sans;
        try {
            sans = cert.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        if (sans != null) {
            for (List<?> san : sans) {
                if (((Integer) san.get(0)) == type && san.get(1) instanceof String s) {
                    out.add(s);
                }
            }
        }
        return out;
    }

    /** The last CN of the subject: the most specific one, as JSSE takes it. */
    private static String mostSpecificCommonName(X509Certificate cert) {
        try {
            List<Rdn> rdns = new LdapName(cert.getSubjectX500Principal().getName()).getRdns();
            String cn = null;
            // LdapName lists the RDNs from the least specific to the most specific.
            for (Rdn rdn : rdns) {
                if (rdn.getType().equalsIgnoreCase("CN") && rdn.getValue() instanceof String s) {
                    cn = s;
                }
            }
            return cn;
        } catch (InvalidNameException e) {
            return null;
        }
    }

    /** The address of an IPv4 or IPv6 literal (no name lookup), else null. */
    private static InetAddress ipLiteral(String s) {
        String t = s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
        // Checked first: InetAddress looks up anything that is not a well-formed literal, such as 999.1.1.1.
        boolean v4 = t.matches("((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
        boolean v6 = t.indexOf(':') >= 0 && t.matches("[0-9A-Fa-f:.]+");
        if (!v4 && !v6) {
            return null;
        }
        try {
            return InetAddress.getByName(t);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static String normal(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }
}
