package io.switchboard.server.transport;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.switchboard.server.metrics.Metrics;

/**
 * The optional separate metrics port ({@code --metrics-port}): plain HTTP serving {@code /metrics}
 * only, without a key, meant for an internal interface that only Prometheus reaches. One request per
 * connection. Shares the node's event loops.
 */
final class MetricsServer {

    private MetricsServer() {
    }

    static Channel bind(EventLoopGroup boss, EventLoopGroup workers, Transport transport, String host, int port, Metrics metrics) {
        ChannelFuture f = new ServerBootstrap()
                .group(boss, workers)
                .channel(transport.serverChannel())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast(new HttpServerCodec(4096, 8192, 8192))
                                .addLast(new HttpObjectAggregator(1024))
                                .addLast(new SimpleChannelInboundHandler<FullHttpRequest>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                                        String path = new QueryStringDecoder(req.uri()).path();
                                        HttpRoutes.Response r = path.equals("/metrics") ? HttpRoutes.metrics(metrics)
                                                : HttpRoutes.Response.json(io.netty.handler.codec.http.HttpResponseStatus.NOT_FOUND,
                                                        HttpRequestHandler.error("not_found", "this port serves /metrics only"));
                                        FullHttpResponse res = new DefaultFullHttpResponse(req.protocolVersion(), r.status(),
                                                Unpooled.wrappedBuffer(r.body()));
                                        res.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
                                        HttpUtil.setContentLength(res, r.body().length);
                                        HttpUtil.setKeepAlive(res, false);
                                        ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
                                    }

                                    @Override
                                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                        ctx.close();
                                    }
                                });
                    }
                })
                .bind(host, port).awaitUninterruptibly();
        if (!f.isSuccess()) {
            throw new IllegalStateException("cannot listen for metrics on " + host + ":" + port + ": " + PortCheck.why(f.cause().getMessage()), f.cause());
        }
        return f.channel();
    }
}
