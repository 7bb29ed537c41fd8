package io.switchboard.server.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.switchboard.server.config.PusherApp;
import io.switchboard.server.pusher.PusherSignatures;
import io.switchboard.server.util.LogText;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The Pusher half of the warm-up ({@link WarmUp}), for a node with Pusher apps: the throwaway node gets an app
 * of its own, and a session connects as pusher-js does ({@code /app/{key}?protocol=7}), subscribes to a public
 * channel, has an event triggered on it through the HTTP API as a backend does (a signed
 * {@code POST /apps/{id}/events} on a connection of its own) and closes once an event of the channel reaches
 * it. So the Pusher door's codec, the HTTP API's signature check and the transcoding of a publication to
 * Pusher events are compiled before the node opens its port.
 */
final class WarmUpPusher {

    static final String APP_ID = "warm-up";
    static final String KEY = "warm-up-key";
    static final String EVENT = "warm";

    private WarmUpPusher() {
    }

    /** The throwaway node's app, signed with the warm-up's own random secret. */
    static PusherApp app(String secret) {
        return PusherApp.of(APP_ID, KEY, secret);
    }

    static URI uri(int port) {
        return URI.create("ws://127.0.0.1:" + port + "/app/" + KEY + "?protocol=7&client=switchboard-warm-up&version=1");
    }

    /** The signed trigger of {@link #EVENT} on {@code channel}, as the {@code pusher} server SDKs send it. */
    static FullHttpRequest trigger(String channel, String secret, long nowSeconds) {
        String body = "{\"name\":\"" + EVENT + "\",\"channel\":\"" + channel + "\",\"data\":\"{\\\"warm\\\":true}\"}";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String path = "/apps/" + APP_ID + "/events";
        String query = "auth_key=" + KEY + "&auth_timestamp=" + nowSeconds + "&auth_version=1.0&body_md5=" + PusherSignatures.md5(bytes);
        String signature = PusherSignatures.hmac(secret, "POST\n" + path + "\n" + query);
        FullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST,
                path + "?" + query + "&auth_signature=" + signature, Unpooled.wrappedBuffer(bytes));
        r.headers().set(HttpHeaderNames.HOST, "127.0.0.1").set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length).set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return r;
    }

    /** One Pusher session: connection_established, subscribe, subscription_succeeded, trigger, the event, close. */
    static final class PusherSession extends WarmUp.Session {
        private final AtomicInteger pusherCompleted;
        private final Bootstrap base;
        private final int port;
        private final String secret;

        PusherSession(String channel, Semaphore slots, AtomicInteger pusherCompleted, AtomicInteger completed,
                      AtomicReference<String> problem, Bootstrap base, int port, String secret) {
            super(channel, slots, completed, problem);
            this.pusherCompleted = pusherCompleted;
            this.base = base;
            this.port = port;
            this.secret = secret;
        }

        @Override
        String subprotocol() {
            return null;
        }

        @Override
        void opened(ChannelHandlerContext ctx) {
            // the node speaks first: pusher:connection_established
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
            String text = frame.text();
            if (text.contains("\"event\":\"pusher:error\"")) {
                failed(ctx, "the Pusher door answered a session with an error: " + LogText.escape(text));
            } else if (text.contains("\"event\":\"pusher:connection_established\"")) {
                send(ctx, "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"" + channel + "\"}}");
            } else if (text.contains("\"event\":\"pusher_internal:subscription_succeeded\"")) {
                sendTrigger();
            } else if (text.contains("\"event\":\"" + EVENT + "\"")) {
                if (done(ctx)) { // later events of the channel may reach it while it closes
                    pusherCompleted.incrementAndGet();
                }
            }
        }

        private void sendTrigger() {
            base.clone().handler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(8192), new SimpleChannelInboundHandler<FullHttpResponse>() {
                        @Override
                        protected void channelRead0(ChannelHandlerContext c, FullHttpResponse response) {
                            if (response.status().code() != 200) {
                                problem.compareAndSet(null, "the Pusher HTTP API answered a trigger with " + response.status().code()
                                        + ": " + LogText.escape(response.content().toString(StandardCharsets.UTF_8)));
                            }
                            c.close();
                        }

                        @Override
                        public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
                            problem.compareAndSet(null, "a trigger failed: " + cause);
                            c.close();
                        }
                    });
                }
            }).connect(new InetSocketAddress("127.0.0.1", port)).addListener((io.netty.channel.ChannelFutureListener) f -> {
                if (f.isSuccess()) {
                    f.channel().writeAndFlush(WarmUpPusher.trigger(channel, secret, System.currentTimeMillis() / 1000));
                } else {
                    problem.compareAndSet(null, "a trigger could not connect: " + f.cause());
                }
            });
        }
    }
}
