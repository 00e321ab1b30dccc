package dev.redistls.firewall;

import dev.redistls.RedisTlsException;
import dev.redistls.net.IpText;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * A source network for {@code --allow-from}: an IPv4 or IPv6 address with an optional prefix length, kept as its
 * network address ({@code 10.1.2.3/8} becomes {@code 10.0.0.0/8}) because that is how nft and iptables print it back,
 * and we find our own rules by comparing with what they print.
 */
public record Cidr(InetAddress network, int prefixLength) {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    /** Parses {@code text}; a bare address means that one host (/32 or /128). Never does a DNS look-up. */
    public static Cidr parse(String text) {
        if (text == null) {
            throw RedisTlsException.badInput("not a CIDR: null");
        }
        String t = text.trim();
        int slash = t.indexOf('/');
        String addr = slash < 0 ? t : t.substring(0, slash);
        boolean v4 = IPV4.matcher(addr).matches();
        // Only literals that look like addresses reach InetAddress, so it never resolves a host name.
        if (!v4 && !IPV6.matcher(addr).matches()) {
            throw bad(text);
        }
        byte[] bytes;
        try {
            bytes = InetAddress.getByName(addr).getAddress();
        } catch (UnknownHostException e) {
            throw bad(text);
        }
        if (v4 != (bytes.length == 4) || (v4 && !octetsInRange(addr))) {
            throw bad(text);
        }
        int max = bytes.length * 8;
        int len = max;
        if (slash >= 0) {
            try {
                len = Integer.parseInt(t.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw bad(text);
            }
            if (len < 0 || len > max || !t.substring(slash + 1).matches("\\d{1,3}")) {
                throw bad(text);
            }
        }
        return new Cidr(mask(bytes, len), len);
    }

    public boolean ipv6() {
        return network.getAddress().length == 16;
    }

    /** As nft and iptables print it: {@code 10.0.0.0/8}, {@code 2001:db8::/32}. */
    @Override
    public String toString() {
        return IpText.compact(network) + "/" + prefixLength;
    }

    private static RedisTlsException bad(String text) {
        return RedisTlsException.badInput("not a CIDR: " + text + " (expected e.g. 10.0.0.0/8 or 2001:db8::/32)");
    }

    private static boolean octetsInRange(String addr) {
        for (String o : addr.split("\\.")) {
            if (Integer.parseInt(o) > 255) {
                return false;
            }
        }
        return true;
    }

    private static InetAddress mask(byte[] bytes, int len) {
        int bits = bytes.length * 8;
        BigInteger value = new BigInteger(1, bytes);
        BigInteger netmask = BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE)
                .shiftRight(len).not().and(BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE));
        byte[] raw = value.and(netmask).toByteArray();
        byte[] out = new byte[bytes.length];
        int copy = Math.min(raw.length, out.length);
        System.arraycopy(raw, raw.length - copy, out, out.length - copy, copy);
        try {
            return InetAddress.getByAddress(out);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

}
