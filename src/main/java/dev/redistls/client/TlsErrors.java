package dev.redistls.client;

import dev.redistls.RedisTlsException;
import dev.redistls.pki.CertInfo;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisDataException;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import java.io.EOFException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns what Jedis and JSSE throw (several nested exceptions, none naming the fix) into one line that says what is
 * wrong and what to do. The server's certificate, when the handshake got that far, is used to name what it is for.
 */
public final class TlsErrors {
    private TlsErrors() {
    }

    /** {@code peer} is what the handshake saw (null for plaintext). */
    public static RedisTlsException explain(Throwable failure, TlsClientConfig c, TlsContext.ServedChain peer) {
        return new RedisTlsException(RedisTlsException.FAILED, message(failure, c, peer), failure);
    }

    static String message(Throwable failure, TlsClientConfig c, TlsContext.ServedChain peer) {
        X509Certificate[] served = peer == null ? null : peer.get();
        boolean certAsked = peer != null && peer.clientCertificateRequested();
        String at = c.endpoint();
        List<Throwable> chain = causes(failure);
        String all = String.join(" | ", chain.stream().map(t -> String.valueOf(t.getMessage())).toList())
                .toLowerCase(Locale.ROOT);

        JedisAccessControlException acl = find(chain, JedisAccessControlException.class);
        if (acl != null) {
            String m = String.valueOf(acl.getMessage());
            if (m.startsWith("NOAUTH")) {
                return "server at " + at + " requires a password: set REDISCLI_AUTH (and --user for an ACL user)";
            }
            return firstWord(m) + " " + rest(m) + ": check REDISCLI_AUTH/--user";
        }
        JedisDataException data = find(chain, JedisDataException.class);
        if (data != null) {
            String m = String.valueOf(data.getMessage());
            if (m.contains("without any password configured") || m.contains("without any password")) {
                return "server at " + at + " has no password set, but one was sent: unset REDISCLI_AUTH or drop -a/--pass";
            }
            if (m.contains("DB index is out of range")) {
                return "database " + c.database() + " does not exist on " + at + " (-n): " + m;
            }
            return m;
        }
        UnknownHostException unknown = find(chain, UnknownHostException.class);
        if (unknown != null) {
            return "cannot resolve host " + c.host() + ": check -h or the URI";
        }
        if (find(chain, ConnectException.class) != null) {
            return "connection refused at " + at + ": is Redis running and listening on that port?";
        }
        if (find(chain, NoRouteToHostException.class) != null) {
            return "no route to " + at + ": host down or network unreachable";
        }
        SocketTimeoutException timeout = find(chain, SocketTimeoutException.class);
        if (timeout != null && all.contains("connect timed out")) {
            return "no answer from " + at + " within " + c.timeoutMillis() / 1000
                    + "s: host down, or a firewall drops the port";
        }

        if (c.tls()) {
            String tlsMessage = tls(chain, all, c, served, certAsked);
            if (tlsMessage != null) {
                return tlsMessage;
            }
        } else if (closedOrGarbled(all, chain)) {
            return "server at " + at + " closed the connection on a plaintext command: it speaks TLS there, add --tls";
        }
        Throwable root = chain.get(chain.size() - 1);
        return "connection to " + at + " failed: " + firstLine(root.getMessage() != null ? root.getMessage()
                : root.getClass().getSimpleName());
    }

    private static String tls(List<Throwable> chain, String all, TlsClientConfig c, X509Certificate[] served,
                              boolean certAsked) {
        String at = c.endpoint();
        String target = c.sni() != null ? c.sni() : c.host();
        if (all.contains("no subject alternative") || all.contains("no name matching")) {
            return "server certificate is for " + namesOf(served) + ", not " + target
                    + ": connect by name or add --san " + target + " and reissue";
        }
        CertificateExpiredException expired = find(chain, CertificateExpiredException.class);
        if (expired != null || all.contains("validity check failed") && served != null) {
            return "server certificate of " + at + " expired on " + day(served)
                    + ": run 'redis-tls renew' on the server";
        }
        if (find(chain, CertificateNotYetValidException.class) != null) {
            return "server certificate of " + at + " is not valid yet: check the clocks of both hosts";
        }
        if (all.contains("pkix path") || all.contains("unable to find valid certification path")
                || all.contains("signature check failed") || all.contains("trust anchor")) {
            return "server certificate of " + at + " (issued by " + issuer(served) + ") is not trusted by "
                    + c.trustSource() + ": pass the group's root with --cacert (client/root.crt of its keys dir)";
        }
        if (all.contains("certificate_required") || (c.cert() == null && all.contains("bad_certificate"))
                || (c.cert() == null && all.contains("handshake_failure") && served != null)) {
            return "server at " + at + " requires a client certificate: pass --cert/--key (or --keys-dir)";
        }
        if (all.contains("certificate_expired")) {
            return "server at " + at + " refused client certificate " + c.cert()
                    + ": it has expired; issue a new one with 'redis-tls client issue NAME --force'";
        }
        if (all.contains("unknown_ca") || all.contains("bad_certificate") || all.contains("certificate_unknown")
                || all.contains("decrypt_error") || all.contains("unsupported_certificate")) {
            return "server at " + at + " refused client certificate " + c.cert()
                    + " (not issued by its CA, expired, or not for clientAuth): issue one with 'redis-tls client issue NAME'";
        }
        if (all.contains("unsupported or unrecognized ssl message") || all.contains("plaintext connection")
                || (served == null && find(chain, SocketTimeoutException.class) != null)
                || (find(chain, SSLException.class) != null && served == null
                    && (all.contains("remote host terminated") || all.contains("end of stream")))) {
            return "server at " + at + " does not speak TLS (plaintext port?): drop --tls or use the TLS port";
        }
        if (served != null && c.cert() == null && closedOrGarbled(all, chain)) {
            // TLS 1.3: the handshake ends on the client's side before the server checks our (absent) certificate,
            // so the refusal arrives as a closed connection on the first read.
            return certAsked
                    ? "server at " + at + " requires a client certificate: pass --cert/--key (or --keys-dir)"
                    : "server at " + at + " closed the connection after the TLS handshake: check its log";
        }
        if (served != null && c.cert() != null && closedOrGarbled(all, chain)) {
            // TLS 1.3 again: the server's alert about our certificate arrives as a reset or broken pipe.
            return "server at " + at + " refused client certificate " + c.cert()
                    + " (not issued by its CA, expired, or not for clientAuth): issue one with 'redis-tls client issue NAME'";
        }
        if (find(chain, SSLHandshakeException.class) != null) {
            return "TLS handshake with " + at + " failed: " + firstLine(find(chain, SSLHandshakeException.class).getMessage());
        }
        return null;
    }

    private static boolean closedOrGarbled(String all, List<Throwable> chain) {
        return all.contains("unexpected end of stream") || all.contains("connection reset")
                || all.contains("broken pipe") || all.contains("unknown reply") || find(chain, EOFException.class) != null
                || (find(chain, SocketException.class) != null && all.contains("closed"));
    }

    private static String namesOf(X509Certificate[] served) {
        if (served == null || served.length == 0) {
            return "other names";
        }
        List<String> names = new ArrayList<>();
        for (String san : CertInfo.sans(served[0])) {
            names.add(san.substring(san.indexOf(':') + 1));
        }
        return names.isEmpty() ? served[0].getSubjectX500Principal().getName() : String.join(", ", names);
    }

    private static String issuer(X509Certificate[] served) {
        if (served == null || served.length == 0) {
            return "an unknown CA";
        }
        X509Certificate top = served[served.length - 1];
        return top.getIssuerX500Principal().getName();
    }

    private static String day(X509Certificate[] served) {
        if (served == null || served.length == 0) {
            return "an earlier date";
        }
        return served[0].getNotAfter().toInstant().atZone(ZoneOffset.UTC).toLocalDate().toString();
    }

    private static List<Throwable> causes(Throwable t) {
        List<Throwable> out = new ArrayList<>();
        for (Throwable x = t; x != null && !out.contains(x); x = x.getCause()) {
            out.add(x);
            for (Throwable s : x.getSuppressed()) {
                out.addAll(causes(s));
            }
        }
        return out;
    }

    private static <T extends Throwable> T find(List<Throwable> chain, Class<T> type) {
        for (Throwable t : chain) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    private static String firstWord(String m) {
        int sp = m.indexOf(' ');
        return sp < 0 ? m : m.substring(0, sp);
    }

    private static String rest(String m) {
        int sp = m.indexOf(' ');
        return sp < 0 ? "" : m.substring(sp + 1).replaceAll("\\.$", "");
    }

    private static String firstLine(String m) {
        return m == null ? "" : m.lines().findFirst().orElse(m);
    }
}
