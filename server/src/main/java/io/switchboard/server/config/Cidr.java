package io.switchboard.server.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * A block of IP addresses written as {@code 10.0.0.0/8}, {@code fd00::/8}, or a single address
 * ({@code 127.0.0.1}, {@code ::1}). Only literal addresses are read: a host name is an error, so reading
 * one never asks DNS. An IPv4 address matches an IPv4 block only, an IPv6 address an IPv6 block only
 * (an IPv4-mapped IPv6 address is read as the IPv4 address it maps, as the JDK does).
 */
public final class Cidr {

    private final byte[] network; // masked
    private final int prefix;
    private final String text;

    private Cidr(byte[] network, int prefix) {
        this.network = mask(network, prefix);
        this.prefix = prefix;
        String host = literal(this.network);
        this.text = prefix == network.length * 8 ? host : host + "/" + prefix;
    }

    /** Reads {@code address[/prefix]}; throws {@link IllegalArgumentException} saying what is wrong. */
    public static Cidr parse(String text) {
        String t = text == null ? "" : text.trim();
        if (t.isEmpty()) {
            throw new IllegalArgumentException("an empty address block");
        }
        int slash = t.indexOf('/');
        String host = slash < 0 ? t : t.substring(0, slash);
        byte[] bytes = address(host);
        if (bytes == null) {
            throw new IllegalArgumentException(t + " is not an IP address or a block such as 10.0.0.0/8");
        }
        int bits = bytes.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            String p = t.substring(slash + 1);
            if (!p.matches("\\d{1,3}") || Integer.parseInt(p) > bits) {
                throw new IllegalArgumentException(t + ": the prefix length must be 0 to " + bits);
            }
            prefix = Integer.parseInt(p);
        }
        return new Cidr(bytes, prefix);
    }

    /** The bytes of a literal IPv4 or IPv6 address (4 or 16 of them); null when {@code s} is not one. */
    public static byte[] address(String s) {
        if (s == null || s.isEmpty() || s.length() > 45) {
            return null;
        }
        if (s.indexOf(':') < 0) {
            return ipv4(s);
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c == ':' || c == '.' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
                return null; // no zone ids, no brackets, nothing a resolver could take for a name
            }
        }
        int dot = s.indexOf('.');
        if (dot >= 0 && ipv4(s.substring(s.lastIndexOf(':') + 1)) == null) {
            return null;
        }
        try {
            // A string with a colon is only ever parsed as an IPv6 literal: no lookup happens.
            return InetAddress.getByName(s).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** Strict dotted-quad IPv4: four decimal parts 0-255 without leading zeros. */
    private static byte[] ipv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0')) {
                return null;
            }
            for (int j = 0; j < p.length(); j++) {
                if (p.charAt(j) < '0' || p.charAt(j) > '9') {
                    return null;
                }
            }
            int v = Integer.parseInt(p);
            if (v > 255) {
                return null;
            }
            b[i] = (byte) v;
        }
        return b;
    }

    /** True when {@code address} lies in this block. */
    public boolean contains(InetAddress address) {
        return address != null && contains(address.getAddress());
    }

    /** True when the address of these bytes (4 or 16) lies in this block. */
    public boolean contains(byte[] address) {
        if (address == null || address.length != network.length) {
            return false;
        }
        return Arrays.equals(mask(address, prefix), network);
    }

    private static byte[] mask(byte[] address, int prefix) {
        byte[] out = address.clone();
        for (int i = 0; i < out.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            out[i] &= (byte) (0xff << (8 - keep));
        }
        return out;
    }

    /** The address in its usual short form: dotted quad, or IPv6 with the longest run of zero groups as {@code ::}. */
    public static String literal(byte[] bytes) {
        if (bytes.length == 4) {
            return (bytes[0] & 0xff) + "." + (bytes[1] & 0xff) + "." + (bytes[2] & 0xff) + "." + (bytes[3] & 0xff);
        }
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && g[j] == 0) {
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
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.prefix == prefix && Arrays.equals(c.network, network);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(network) * 31 + prefix;
    }

    /** The block as it reads back: {@code 10.0.0.0/8}, {@code ::1}. */
    @Override
    public String toString() {
        return text;
    }
}
