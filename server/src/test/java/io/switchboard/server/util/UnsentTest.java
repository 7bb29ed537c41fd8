package io.switchboard.server.util;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a real socket whose reader has stopped holds back: {@link Unsent#bytes} is the bytes of the
 * writes still in Netty's outbound buffer, without the overhead Netty adds to its own count per write.
 */
class UnsentTest {

    final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

    @AfterEach
    void stop() throws InterruptedException {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }

    @Test
    void countsTheBytesOfTheWritesTheSocketHasNotTakenAndNothingElse() throws Exception {
        CompletableFuture<Channel> accepted = new CompletableFuture<>();
        Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.SO_SNDBUF, 16 * 1024)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(io.netty.channel.ChannelHandlerContext ctx) {
                        accepted.complete(ctx.channel());
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        Channel client = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.AUTO_READ, false) // a reader that never reads
                .option(ChannelOption.SO_RCVBUF, 16 * 1024)
                .handler(new ChannelInboundHandlerAdapter())
                .connect(server.localAddress()).sync().channel();
        Channel ch = accepted.get(5, TimeUnit.SECONDS);
        int write = 16 * 1024;
        int writes = 256; // 4 MiB: far more than the two sockets' buffers take
        long[] seen = ch.eventLoop().submit(() -> {
            for (int i = 0; i < writes; i++) {
                ch.write(Unpooled.wrappedBuffer(new byte[write]), ch.voidPromise());
            }
            ch.flush();
            return new long[] {Unsent.bytes(ch), ch.unsafe().outboundBuffer().size(),
                ch.unsafe().outboundBuffer().totalPendingWriteBytes()};
        }).get(5, TimeUnit.SECONDS);
        assertThat(seen[1]).as("writes still held by Netty").isBetween(1L, (long) writes - 1);
        assertThat(seen[0]).as("their bytes, whole (a write partly on the socket counts until it is all there)")
                .isEqualTo(write * seen[1]);
        assertThat(seen[2]).as("Netty's own count is larger by its per-write overhead").isGreaterThan(seen[0]);
        client.close().sync();
        assertThat(ch.closeFuture().await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(Unsent.bytes(ch)).as("a closed channel holds nothing").isZero();
        server.close().sync();
    }
}
