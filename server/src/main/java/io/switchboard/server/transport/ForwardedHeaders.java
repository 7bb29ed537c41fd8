package io.switchboard.server.transport;

import io.switchboard.server.config.Cidr;
import io.switchboard.server.config.ProxyConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads the hops of {@code X-Forwarded-For} and RFC 7239 {@code Forwarded}, and picks the client among
 * them. Each proxy appends the address it received the request from, so the list reads client first,
 * nearest proxy last; everything left of the nearest trusted proxy's entry may have been written by
 * the client. The client is therefore the right-most hop that is not a trusted proxy. A hop that is not
 * an address ({@code unknown}, an obfuscated name, garbage) ends the walk at the last address known.
 * These are decoders of client-chosen text: they never throw, and return at most {@link #MAX_HOPS} hops.
 */
final class ForwardedHeaders {

    /** Hops read from one request; the right-most are kept. */
    static final int MAX_HOPS = 64;

    private ForwardedHeaders() {
    }

    /**
     * The hops of {@code X-Forwarded-For} header values, in order: each element's address bytes, or null
     * for an element that is not an address. {@code 192.0.2.1:8080} and {@code [2001:db8::1]:8080} are read
     * without the port.
     */
    static List<byte[]> xForwardedFor(List<String> values) {
        List<byte[]> hops = new ArrayList<>();
        for (String v : values) {
            for (String element : v.split(",", -1)) {
                hops.add(node(element.trim()));
            }
        }
        return tail(hops);
    }

    /**
     * The hops of {@code Forwarded} header values: the {@code for} parameter of each element (RFC 7239
     * section 4), or null for an element without one or whose node is not an address. A value whose
     * quoting is broken gives a single null hop: nothing in it is believed.
     */
    static List<byte[]> forwarded(List<String> values) {
        List<byte[]> hops = new ArrayList<>();
        for (String v : values) {
            List<String> elements = split(v);
            if (elements == null) {
                hops.clear();
                hops.add(null);
                return hops;
            }
            for (String element : elements) {
                hops.add(forParameter(element));
            }
        }
        return tail(hops);
    }

    /** The client among {@code hops}, reached from the connection's address {@code peer}. */
    static byte[] client(byte[] peer, List<byte[]> hops, ProxyConfig cfg) {
        byte[] current = peer;
        for (int i = hops.size() - 1; i >= 0; i--) {
            if (!cfg.trusts(current)) {
                return current;
            }
            byte[] hop = hops.get(i);
            if (hop == null) {
                return current; // a trusted proxy passed on something that names no address
            }
            current = hop;
        }
        return current;
    }

    private static List<byte[]> tail(List<byte[]> hops) {
        return hops.size() <= MAX_HOPS ? hops : new ArrayList<>(hops.subList(hops.size() - MAX_HOPS, hops.size()));
    }

    /** A node: an IPv4 address, a bracketed IPv6 address, either with an optional port, or a bare IPv6 address. */
    static byte[] node(String s) {
        if (s.length() >= 2 && s.charAt(0) == '[') {
            int close = s.indexOf(']');
            if (close < 0 || !(close == s.length() - 1 || (s.charAt(close + 1) == ':' && port(s.substring(close + 2))))) {
                return null;
            }
            byte[] b = Cidr.address(s.substring(1, close));
            return b != null && b.length == 16 ? b : null;
        }
        int colon = s.indexOf(':');
        if (colon > 0 && colon == s.lastIndexOf(':')) { // IPv4 with a port
            byte[] b = port(s.substring(colon + 1)) ? Cidr.address(s.substring(0, colon)) : null;
            return b != null && b.length == 4 ? b : null;
        }
        return Cidr.address(s);
    }

    private static boolean port(String s) {
        if (s.isEmpty() || s.length() > 5) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return Integer.parseInt(s) <= 65535;
    }

    /** The elements of one Forwarded value, split on commas outside quoted strings; null when a quote is left open. */
    private static List<String> split(String v) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (quoted && c == '\\' && i + 1 < v.length()) {
                cur.append(c).append(v.charAt(++i));
                continue;
            }
            if (c == '"') {
                quoted = !quoted;
            } else if (c == ',' && !quoted) {
                out.add(cur.toString());
                cur.setLength(0);
                continue;
            }
            cur.append(c);
        }
        if (quoted) {
            return null;
        }
        out.add(cur.toString());
        return out;
    }

    /** The address of an element's {@code for} parameter, or null. */
    private static byte[] forParameter(String element) {
        byte[] found = null;
        int seen = 0;
        for (String pair : element.split(";", -1)) { // a quoted node holds no ';' that matters: it would not be an address
            int eq = pair.indexOf('=');
            if (eq < 0 || !pair.substring(0, eq).trim().toLowerCase(Locale.ROOT).equals("for")) {
                continue;
            }
            seen++;
            String value = pair.substring(eq + 1).trim();
            if (value.length() >= 2 && value.charAt(0) == '"' && value.charAt(value.length() - 1) == '"') {
                value = value.substring(1, value.length() - 1).replace("\\", "");
            }
            found = node(value);
        }
        return seen == 1 ? found : null; // two for= in one element: believe neither
    }
}
