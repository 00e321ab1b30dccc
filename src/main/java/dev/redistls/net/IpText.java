package dev.redistls.net;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * IP addresses as people, nft and ip6tables write them. Java (and OpenSSL 3.0's x509 -text) print IPv6 in full,
 * "0:0:0:0:0:0:0:1"; RFC 5952 text is "::1": lower case, no leading zeros, the longest run of two or more zero
 * groups (the first, on a tie) written as "::".
 */
public final class IpText {
    private IpText() {
    }

    /** The RFC 5952 text of an IPv6 literal, or the text unchanged for IPv4 and anything that is not an IP literal. */
    public static String compact(String ip) {
        if (!ip.contains(":") || !ip.matches("[0-9A-Fa-f:.]+")) {
            return ip;
        }
        try {
            // An IP literal is parsed without any name lookup.
            return compact(InetAddress.getByName(ip));
        } catch (UnknownHostException e) {
            return ip;
        }
    }

    public static String compact(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return address.getHostAddress();
        }
        byte[] b = address.getAddress();
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(groups[i]));
        }
        return sb.toString();
    }
}
