package io.switchboard.server.transport;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AttributeKey;
import io.switchboard.server.config.Cidr;
import io.switchboard.server.config.ProxyConfig;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The address a connection is judged by (limits, logs, the session's {@code clientAddress}). It is the
 * TCP peer's, or the source a trusted peer named in its PROXY header ({@link ProxyProtocolGate}); and
 * for an HTTP request from a trusted address, the right-most address of the forwarding header that is
 * not a trusted proxy ({@link ForwardedHeaders}).
 */
final class ClientAddress {

    /** The source address of the PROXY header, when a trusted peer sent one (4 or 16 bytes). */
    static final AttributeKey<byte[]> PROXIED = AttributeKey.valueOf("switchboard.proxiedAddress");

    private ClientAddress() {
    }

    /** The TCP peer's address bytes; null for a channel that has none (an embedded test channel). */
    static byte[] peer(Channel ch) {
        return ch.remoteAddress() instanceof InetSocketAddress i && i.getAddress() != null ? i.getAddress().getAddress() : null;
    }

    /** The connection's address: the PROXY header's source when there was one, else the TCP peer's. */
    static byte[] connection(Channel ch) {
        byte[] proxied = proxied(ch);
        return proxied != null ? proxied : peer(ch);
    }

    /** The PROXY header's source, or null; without creating the attribute on the (many) channels that have none. */
    private static byte[] proxied(Channel ch) {
        return ch.hasAttr(PROXIED) ? ch.attr(PROXIED).get() : null;
    }

    /**
     * Whether {@code address} (from {@link #of}) is the TCP peer's own: then a session need not keep it, it
     * can give the same text from the channel when asked.
     */
    static boolean isPeer(Channel ch, String address) {
        byte[] peer = peer(ch);
        return peer != null && proxied(ch) == null && address.equals(Cidr.literal(peer));
    }

    /** The client's address for a request on {@code ch}, in its usual text form. */
    static String of(Channel ch, HttpHeaders headers, ProxyConfig cfg) {
        byte[] connection = connection(ch);
        if (connection == null) {
            return String.valueOf(ch.remoteAddress());
        }
        if (cfg.forwardedHeader() != ProxyConfig.ForwardedHeader.NONE && cfg.trusts(connection)) {
            List<String> values = headers.getAll(cfg.forwardedHeader() == ProxyConfig.ForwardedHeader.FORWARDED
                    ? "Forwarded" : "X-Forwarded-For");
            if (!values.isEmpty()) {
                List<byte[]> hops = cfg.forwardedHeader() == ProxyConfig.ForwardedHeader.FORWARDED
                        ? ForwardedHeaders.forwarded(values) : ForwardedHeaders.xForwardedFor(values);
                connection = ForwardedHeaders.client(connection, hops, cfg);
            }
        }
        return Cidr.literal(connection);
    }
}
