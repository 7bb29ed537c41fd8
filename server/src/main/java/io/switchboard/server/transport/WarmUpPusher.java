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

    /** The signed trigger of {@link #EVENT} on {@code channel} with data {@code {"warm":n}}, as the {@code pusher} server SDKs send it. */
    static FullHttpRequest trigger(String channel, int n, String secret, long nowSeconds) {
        String body = "{\"name\":\"" + EVENT + "\",\"channel\":\"" + channel + "\",\"data\":\"{\\\"warm\\\":" + n + "}\"}";
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

    /**
     * One Pusher session: connection_established, subscribe, subscription_succeeded, its own trigger, and then,
     * once the trigger was answered 200 and its own event (data {@code {"warm":n}}) arrived, close. Anything
     * else the door or the HTTP API answers ends the session and the warm-up at once. All on the clients' one
     * event loop: the trigger's connection shares it with the session.
     */
    static final class PusherSession extends WarmUp.Session {
        private final int n;
        private final AtomicInteger pusherCompleted;
        private final Bootstrap base;
        private final int port;
        private final String secret;
        private boolean answered; // the trigger got its 200
        private boolean heard; // its own event arrived

        PusherSession(int n, String channel, Semaphore slots, AtomicInteger pusherCompleted, AtomicInteger completed,
                      AtomicReference<String> problem, Bootstrap base, int port, String secret) {
            super(channel, slots, completed, problem);
            this.n = n;
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
            if (text.contains("\"event\":\"pusher:error\"") || text.contains("\"event\":\"pusher:subscription_error\"")) {
                failed(ctx, "the Pusher door answered a session with an error: " + LogText.escape(text));
            } else if (text.contains("\"event\":\"pusher:connection_established\"")) {
                send(ctx, "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"" + channel + "\"}}");
            } else if (text.contains("\"event\":\"pusher_internal:subscription_succeeded\"")) {
                sendTrigger(ctx);
            } else if (text.contains("\"event\":\"" + EVENT + "\"") && text.contains("{\\\"warm\\\":" + n + "}")) {
                heard = true;
                finishIfThrough(ctx);
            }
        }

        private void finishIfThrough(ChannelHandlerContext ctx) {
            if (answered && heard && ctx.channel().isActive() && done(ctx)) {
                pusherCompleted.incrementAndGet();
            }
        }

        private void sendTrigger(ChannelHandlerContext session) {
            base.clone().handler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(8192), new SimpleChannelInboundHandler<FullHttpResponse>() {
                        private boolean replied;

                        @Override
                        protected void channelRead0(ChannelHandlerContext c, FullHttpResponse response) {
                            replied = true;
                            c.close();
                            if (response.status().code() != 200) {
                                failed(session, "the Pusher HTTP API answered a trigger with " + response.status().code()
                                        + ": " + LogText.escape(response.content().toString(StandardCharsets.UTF_8)));
                                return;
                            }
                            answered = true;
                            finishIfThrough(session);
                        }

                        @Override
                        public void channelInactive(ChannelHandlerContext c) throws Exception {
                            if (!replied) {
                                failed(session, "a trigger's connection closed without an answer");
                            }
                            super.channelInactive(c);
                        }

                        @Override
                        public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
                            failed(session, "a trigger failed: " + cause);
                            c.close();
                        }
                    });
                }
            }).connect(new InetSocketAddress("127.0.0.1", port)).addListener((io.netty.channel.ChannelFutureListener) f -> {
                if (f.isSuccess()) {
                    f.channel().writeAndFlush(WarmUpPusher.trigger(channel, n, secret, System.currentTimeMillis() / 1000));
                } else {
                    failed(session, "a trigger could not connect: " + f.cause());
                }
            });
        }
    }
}
