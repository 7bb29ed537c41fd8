package io.switchboard.server.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.ReferenceCountUtil;
import io.switchboard.server.config.Cidr;
import io.switchboard.server.config.ProxyConfig;
import io.switchboard.server.config.ProxyConfig.ProxyProtocol;
import io.switchboard.server.metrics.Metrics;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first handler of every connection: looks at its first bytes for the signature of a PROXY protocol
 * header (v1 {@code "PROXY "}, v2 the 12-byte binary one). From a trusted peer, with {@code
 * --proxy-protocol} on or auto, the header is decoded by Netty's {@link HAProxyMessageDecoder} and its
 * source becomes the connection's address; with on, a trusted peer that sends none is cut off. A header
 * from any other peer (or with off) is refused: the connection is closed without an answer. Then the
 * gate leaves the pipeline, and the bytes after the header go on to TLS or HTTP.
 */
final class ProxyProtocolGate extends ByteToMessageDecoder {

    private static final Logger log = LoggerFactory.getLogger(ProxyProtocolGate.class);
    private static final byte[] V1 = {'P', 'R', 'O', 'X', 'Y', ' '};
    private static final byte[] V2 = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    /** What the first bytes are. */
    enum Sniff { PROXY, NOT_PROXY, TOO_FEW_BYTES }

    private final ProxyConfig config;
    private final Metrics metrics;

    ProxyProtocolGate(ProxyConfig config, Metrics metrics) {
        this.config = config;
        this.metrics = metrics;
    }

    /** Whether {@code in} (from its reader index) starts with a PROXY signature; looks, consumes nothing. */
    static Sniff sniff(ByteBuf in) {
        boolean v1 = true;
        boolean v2 = true;
        int n = in.readableBytes();
        int start = in.readerIndex();
        for (int i = 0; i < Math.min(n, V2.length); i++) {
            byte b = in.getByte(start + i);
            v1 &= i >= V1.length || b == V1[i];
            v2 &= b == V2[i];
        }
        if ((v1 && n >= V1.length) || (v2 && n >= V2.length)) {
            return Sniff.PROXY;
        }
        return v1 || v2 ? Sniff.TOO_FEW_BYTES : Sniff.NOT_PROXY;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        Sniff s = sniff(in);
        if (s == Sniff.TOO_FEW_BYTES) {
            return; // the handshake deadline bounds the wait
        }
        byte[] peer = ClientAddress.peer(ctx.channel());
        boolean trusted = peer != null && config.trusts(peer);
        boolean reads = trusted && config.proxyProtocol() != ProxyProtocol.OFF;
        if (s == Sniff.PROXY && !reads) {
            refuse(ctx, in, "untrusted", trusted ? "a PROXY header, but --proxy-protocol is off"
                    : "a PROXY header from a peer that is not a trusted proxy");
            return;
        }
        if (s == Sniff.NOT_PROXY && trusted && config.proxyProtocol() == ProxyProtocol.ON) {
            refuse(ctx, in, "missing", "no PROXY header from a trusted proxy, and --proxy-protocol is on");
            return;
        }
        if (s == Sniff.PROXY) {
            ctx.pipeline().addAfter(ctx.name(), "proxy-message", new ProxiedSource(metrics));
            ctx.pipeline().addAfter(ctx.name(), "proxy-decoder", new HAProxyMessageDecoder());
        }
        ctx.pipeline().remove(this); // hands what was read on to the next handler
    }

    private void refuse(ChannelHandlerContext ctx, ByteBuf in, String reason, String why) {
        in.skipBytes(in.readableBytes());
        metrics.proxyHeaderRefused(reason);
        log.debug("closed a connection from {}: {}", ctx.channel().remoteAddress(), why);
        ctx.close();
    }

    /** Takes the decoded header: its source, when it names one, becomes the connection's address. */
    private static final class ProxiedSource extends ChannelInboundHandlerAdapter {

        private final Metrics metrics;
        private boolean failed; // the decoder may report more than once; event loop only

        ProxiedSource(Metrics metrics) {
            this.metrics = metrics;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof HAProxyMessage m)) {
                ctx.fireChannelRead(msg);
                return;
            }
            try {
                HAProxyProxiedProtocol p = m.proxiedProtocol();
                boolean inet = p == HAProxyProxiedProtocol.TCP4 || p == HAProxyProxiedProtocol.TCP6;
                // LOCAL (the proxy's own health check) and UNKNOWN/UNIX sources keep the peer's address.
                if (m.command() == HAProxyCommand.PROXY && inet) {
                    byte[] source = Cidr.address(m.sourceAddress());
                    if (source == null) {
                        metrics.proxyHeaderRefused("malformed");
                        ctx.close();
                        return;
                    }
                    ctx.channel().attr(ClientAddress.PROXIED).set(source);
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
            ctx.pipeline().remove(this);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A malformed header: expected from a broken or hostile peer, so no stack trace.
            ctx.close();
            if (failed) {
                return;
            }
            failed = true;
            metrics.proxyHeaderRefused("malformed");
            log.debug("closed a connection from {}: malformed PROXY header ({})", ctx.channel().remoteAddress(),
                    io.switchboard.server.util.LogText.escape(String.valueOf(cause.getMessage())));
        }
    }
}
