package dev.redistls.pki;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;

/** A certificate together with its private key, as written to a keys dir. */
public record IssuedCertificate(X509Certificate certificate, PrivateKey privateKey) {
}
