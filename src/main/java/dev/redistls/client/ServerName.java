package dev.redistls.client;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * Whether a server certificate names a DNS host name, by RFC 6125 rules: the subjectAltName DNS entries only, case
 * insensitive, a wildcard only as the whole leftmost label and matching exactly one label.
 */
final class ServerName {
    private static final int DNS = 2;

    private ServerName() {
    }

    static boolean matches(X509Certificate cert, String hostName) {
        String host = strip(hostName.toLowerCase(Locale.ROOT));
        Collection<List<?>> sans;
        try {
            sans = cert.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return false;
        }
        if (sans == null) {
            return false;
        }
        for (List<?> san : sans) {
            if (((Integer) san.get(0)) == DNS && matchesPattern(strip(String.valueOf(san.get(1)).toLowerCase(Locale.ROOT)), host)) {
                return true;
            }
        }
        return false;
    }

    static boolean matchesPattern(String pattern, String host) {
        if (!pattern.startsWith("*.")) {
            return pattern.equals(host);
        }
        int dot = host.indexOf('.');
        return dot > 0 && host.substring(dot).equals(pattern.substring(1));
    }

    private static String strip(String name) {
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }
}
