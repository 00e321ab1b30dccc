package dev.redistls.client;

import dev.redistls.RedisTlsException;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * {@code redis://[[user]:password@]host[:port][/db]} and {@code rediss://...} (TLS), as redis-cli's {@code -u}
 * and Lettuce's RedisURI read them. Messages never repeat the password.
 */
public final class RedisUri {
    private static final String SHAPE = "expected redis://[[user]:password@]host[:port][/db] or rediss://...";

    private RedisUri() {
    }

    /** Applies the URI's parts to {@code b}; returns whether it carried a password. */
    public static boolean apply(String text, TlsClientConfig.Builder b) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw bad(text);
        }
        String scheme = uri.getScheme();
        if (!"redis".equalsIgnoreCase(scheme) && !"rediss".equalsIgnoreCase(scheme)) {
            throw bad(text);
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw bad(text);
        }
        b.tls("rediss".equalsIgnoreCase(scheme));
        String host = uri.getHost();
        b.host(host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host);
        if (uri.getPort() != -1) {
            b.port(uri.getPort());
        }
        String path = uri.getPath();
        if (path != null && path.length() > 1) {
            try {
                b.database(Integer.parseInt(path.substring(1)));
            } catch (NumberFormatException e) {
                throw bad(text);
            }
        }
        boolean password = false;
        String info = uri.getRawUserInfo();
        if (info != null && !info.isEmpty()) {
            int colon = info.indexOf(':');
            String user = colon < 0 ? null : decode(info.substring(0, colon));
            String pass = decode(colon < 0 ? info : info.substring(colon + 1));
            if (user != null && !user.isEmpty()) {
                b.user(user);
            }
            if (!pass.isEmpty()) {
                b.password(pass);
                password = true;
            }
        }
        return password;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static RedisTlsException bad(String text) {
        return RedisTlsException.badInput("invalid URI '" + redact(text) + "': " + SHAPE);
    }

    /** The URI with whatever sits between "//" and "@" replaced, so that a password is never echoed. */
    static String redact(String text) {
        int start = text.indexOf("//");
        int at = text.lastIndexOf('@');
        if (start >= 0 && at > start) {
            return text.substring(0, start + 2) + "***" + text.substring(at);
        }
        return text;
    }
}
