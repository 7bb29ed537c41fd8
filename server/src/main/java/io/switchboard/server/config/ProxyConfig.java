package io.switchboard.server.config;

import java.util.List;
import java.util.Objects;

/**
 * Which peers may tell the node a client's address, and how (docs/deployment.md). A connection's
 * address is its TCP peer's, unless that peer is a trusted proxy: then the PROXY protocol header it
 * sends, or the forwarding header it adds to each request, names the client.
 *
 * @param trustedProxies the address blocks of trusted proxies; empty: nobody is trusted
 * @param proxyProtocol  whether trusted peers send a PROXY protocol (v1 or v2) header first
 * @param forwardedHeader which HTTP header trusted peers write the client's address into
 */
public record ProxyConfig(List<Cidr> trustedProxies, ProxyProtocol proxyProtocol, ForwardedHeader forwardedHeader) {

    /**
     * {@code ON}: a trusted peer must send a PROXY header (its connection is closed without one);
     * {@code AUTO}: a trusted peer may send one; {@code OFF}: no PROXY header is read. In every mode a
     * PROXY header from a peer that is not trusted is refused.
     */
    public enum ProxyProtocol { ON, OFF, AUTO }

    /**
     * The header that carries the client's address: {@code X-Forwarded-For}, RFC 7239 {@code Forwarded}
     * ({@code for=}), or none. Only one is read, because a proxy that writes one of them passes the other
     * on as the client sent it.
     */
    public enum ForwardedHeader { X_FORWARDED_FOR, FORWARDED, NONE }

    /** Loopback (127.0.0.0/8 and ::1) is trusted; PROXY headers are read when sent; X-Forwarded-For. */
    public static final ProxyConfig DEFAULT = new ProxyConfig(List.of(Cidr.parse("127.0.0.0/8"), Cidr.parse("::1")),
            ProxyProtocol.AUTO, ForwardedHeader.X_FORWARDED_FOR);

    public ProxyConfig {
        trustedProxies = List.copyOf(trustedProxies);
        Objects.requireNonNull(proxyProtocol, "proxyProtocol");
        Objects.requireNonNull(forwardedHeader, "forwardedHeader");
    }

    /**
     * Reads {@code trusted-proxies}: address blocks such as {@code 10.0.0.0/8} or single addresses; the one
     * word {@code none} trusts nobody.
     */
    public static List<Cidr> parseTrusted(List<String> texts) {
        List<String> list = Checks.list(texts);
        if (list.size() == 1 && list.get(0).equalsIgnoreCase("none")) {
            return List.of();
        }
        try {
            return list.stream().map(Cidr::parse).toList();
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException("trusted-proxies", "has a bad entry: " + e.getMessage());
        }
    }

    /** The blocks as {@code trusted-proxies} reads them back ({@code none} for no block). */
    public List<String> trustedText() {
        return trustedProxies.isEmpty() ? List.of("none") : trustedProxies.stream().map(Cidr::toString).toList();
    }

    /** True when the peer at this address (4 or 16 bytes) is a trusted proxy. */
    public boolean trusts(byte[] address) {
        for (Cidr c : trustedProxies) {
            if (c.contains(address)) {
                return true;
            }
        }
        return false;
    }

    public ProxyConfig withTrusted(List<Cidr> blocks) {
        return new ProxyConfig(blocks, proxyProtocol, forwardedHeader);
    }

    public ProxyConfig withProxyProtocol(ProxyProtocol mode) {
        return new ProxyConfig(trustedProxies, mode, forwardedHeader);
    }

    public ProxyConfig withForwardedHeader(ForwardedHeader header) {
        return new ProxyConfig(trustedProxies, proxyProtocol, header);
    }
}
