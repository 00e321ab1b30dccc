package dev.redistls.pki;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;

/**
 * Just enough DER for {@link Pem} to read private keys with the JDK alone: which algorithm a PKCS#8 key is for,
 * and the PKCS#8 envelope around an OpenSSL "traditional" key (PKCS#1 RSA, SEC1 EC). Everything else in a
 * certificate or key is parsed by the JDK. A malformed input throws {@link IllegalArgumentException}.
 */
final class Der {
    static final int INTEGER = 0x02;
    static final int OCTET_STRING = 0x04;
    static final int NULL = 0x05;
    static final int OID = 0x06;
    static final int SEQUENCE = 0x30;
    /** [0] EXPLICIT, where SEC1 keeps the curve. */
    static final int CONTEXT_0 = 0xa0;

    static final byte[] RSA_ENCRYPTION = HexFormat.of().parseHex("2a864886f70d010101");
    static final byte[] EC_PUBLIC_KEY = HexFormat.of().parseHex("2a8648ce3d0201");

    /** The JCA name of each key algorithm a PKCS#8 key may be for, by the contents of its OID. */
    private static final Map<String, String> KEY_ALGORITHMS = Map.of(
            "2a864886f70d010101", "RSA",
            "2a864886f70d01010a", "RSASSA-PSS",
            "2a8648ce3d0201", "EC",
            "2a8648ce380401", "DSA",
            "2b6570", "Ed25519",
            "2b6571", "Ed448",
            "2b656e", "X25519",
            "2b656f", "X448");

    private final byte[] in;
    private int pos;
    private final int end;

    private Der(byte[] in, int from, int end) {
        this.in = in;
        this.pos = from;
        this.end = end;
    }

    static Der of(byte[] der) {
        return new Der(der, 0, der.length);
    }

    /** The JCA algorithm of a PKCS#8 PrivateKeyInfo, or null when the OID is none the JDK reads. */
    static String keyAlgorithm(byte[] pkcs8) {
        Der info = of(pkcs8).next(SEQUENCE);
        info.next(INTEGER);
        byte[] oid = info.next(SEQUENCE).next(OID).bytes();
        return KEY_ALGORITHMS.get(HexFormat.of().formatHex(oid));
    }

    /** PKCS#8 PrivateKeyInfo around a PKCS#1 RSAPrivateKey. */
    static byte[] pkcs8FromPkcs1(byte[] rsaPrivateKey) {
        of(rsaPrivateKey).next(SEQUENCE);
        return privateKeyInfo(element(SEQUENCE, element(OID, RSA_ENCRYPTION), element(NULL)), rsaPrivateKey);
    }

    /** PKCS#8 PrivateKeyInfo around a SEC1 ECPrivateKey, whose named curve it must hold. */
    static byte[] pkcs8FromSec1(byte[] ecPrivateKey) {
        Der key = of(ecPrivateKey).next(SEQUENCE);
        key.next(INTEGER);
        key.next(OCTET_STRING);
        while (key.hasNext()) {
            if (key.peek() == CONTEXT_0) {
                byte[] curve = key.next(CONTEXT_0).next(OID).bytes();
                return privateKeyInfo(element(SEQUENCE, element(OID, EC_PUBLIC_KEY), element(OID, curve)), ecPrivateKey);
            }
            key.skip();
        }
        throw new IllegalArgumentException("SEC1 key names no curve");
    }

    private static byte[] privateKeyInfo(byte[] algorithm, byte[] key) {
        return element(SEQUENCE, element(INTEGER, new byte[] {0}), algorithm, element(OCTET_STRING, key));
    }

    /** One element: {@code tag}, its length, then {@code contents} one after the other. */
    static byte[] element(int tag, byte[]... contents) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (byte[] c : contents) {
            body.writeBytes(c);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int n = body.size();
        if (n < 0x80) {
            out.write(n);
        } else {
            int bytes = n < 0x100 ? 1 : n < 0x10000 ? 2 : n < 0x1000000 ? 3 : 4;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(n >>> (8 * i));
            }
        }
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    boolean hasNext() {
        return pos < end;
    }

    int peek() {
        require(pos < end);
        return in[pos] & 0xff;
    }

    /** The contents of the next element, which must be a {@code tag}; reading goes on after it. */
    Der next(int tag) {
        require(peek() == tag);
        return skip();
    }

    /** The contents of the next element, whatever its tag; reading goes on after it. */
    Der skip() {
        require(pos + 2 <= end);
        int length = in[pos + 1] & 0xff;
        int at = pos + 2;
        if (length >= 0x80) {
            int bytes = length & 0x7f;
            require(bytes >= 1 && bytes <= 4 && at + bytes <= end);
            length = 0;
            for (int i = 0; i < bytes; i++) {
                length = (length << 8) | (in[at++] & 0xff);
            }
            require(length >= 0);
        }
        require(length <= end - at);
        pos = at + length;
        return new Der(in, at, at + length);
    }

    byte[] bytes() {
        return Arrays.copyOfRange(in, pos, end);
    }

    private static void require(boolean ok) {
        if (!ok) {
            throw new IllegalArgumentException("malformed DER");
        }
    }
}
