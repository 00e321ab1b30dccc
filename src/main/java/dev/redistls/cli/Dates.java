package dev.redistls.cli;

import java.security.cert.X509Certificate;
import java.time.ZoneOffset;

/** How the human output prints a certificate's expiry. */
final class Dates {
    private Dates() {
    }

    static String day(X509Certificate cert) {
        return cert.getNotAfter().toInstant().atZone(ZoneOffset.UTC).toLocalDate().toString();
    }
}
