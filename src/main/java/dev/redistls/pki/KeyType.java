package dev.redistls.pki;

import dev.redistls.RedisTlsException;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Key types a certificate can have. ECDSA P-256 is the default: every TLS stack Redis clients use (OpenSSL,
 * Java, Go, Python, Node) supports it, handshakes are cheaper than RSA, and keys are generated in milliseconds.
 */
public enum KeyType {
    EC_P256("ec-p256", "EC", 256, "SHA256withECDSA"),
    EC_P384("ec-p384", "EC", 384, "SHA384withECDSA"),
    RSA_2048("rsa-2048", "RSA", 2048, "SHA256withRSA"),
    RSA_3072("rsa-3072", "RSA", 3072, "SHA256withRSA"),
    RSA_4096("rsa-4096", "RSA", 4096, "SHA384withRSA");

    public static final KeyType DEFAULT = EC_P256;

    private final String label;
    private final String algorithm;
    private final int bits;
    private final String signatureAlgorithm;

    KeyType(String label, String algorithm, int bits, String signatureAlgorithm) {
        this.label = label;
        this.algorithm = algorithm;
        this.bits = bits;
        this.signatureAlgorithm = signatureAlgorithm;
    }

    public String label() {
        return label;
    }

    public boolean isRsa() {
        return "RSA".equals(algorithm);
    }

    /** The signature algorithm a key of this type signs with. */
    public String signatureAlgorithm() {
        return signatureAlgorithm;
    }

    public KeyPair generate() {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance(algorithm);
            if (isRsa()) {
                gen.initialize(bits);
            } else {
                gen.initialize(new ECGenParameterSpec(bits == 256 ? "secp256r1" : "secp384r1"));
            }
            return gen.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw RedisTlsException.failed("cannot generate a " + label + " key: " + e.getMessage(), e);
        }
    }

    public static KeyType parse(String label) {
        for (KeyType t : values()) {
            if (t.label.equalsIgnoreCase(label)) {
                return t;
            }
        }
        throw RedisTlsException.badInput("unknown key type '" + label + "': use one of " + labels());
    }

    /** The type of an existing key, so that a CA signs with the algorithm its own key calls for. */
    public static KeyType of(PrivateKey key) {
        if (key instanceof RSAKey rsa) {
            int size = rsa.getModulus().bitLength();
            return size > 3072 ? RSA_4096 : size > 2048 ? RSA_3072 : RSA_2048;
        }
        if (key instanceof ECKey ec) {
            return ec.getParams().getCurve().getField().getFieldSize() > 256 ? EC_P384 : EC_P256;
        }
        throw RedisTlsException.badInput("unsupported key algorithm " + key.getAlgorithm());
    }

    public static String labels() {
        return Arrays.stream(values()).map(KeyType::label).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return label;
    }
}
