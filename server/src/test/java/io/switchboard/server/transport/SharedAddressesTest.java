package io.switchboard.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Accepted connections on one loop share their equal address objects on epoll and io_uring (and keep their own
 * on NIO), and every connection still reports its own true addresses: real sockets from two source IPs.
 */
class SharedAddressesTest {

    EventLoopGroup group;
    Channel server;
    final List<Socket> clients = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (Socket s : clients) {
            s.close();
        }
        if (server != null) {
            server.close().sync();
        }
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void connectionsFromOneIpShareTheirAddressObjectsAndEachKeepsItsOwnPort(Transport transport) throws Exception {
        group = transport.newGroup(1, "shared-addresses-test");
        LinkedBlockingQueue<Channel> accepted = new LinkedBlockingQueue<>();
        server = new ServerBootstrap().group(group).channel(transport.serverChannel())
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        SharedAddresses.share(ch);
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter());
                        accepted.add(ch);
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        int port = ((InetSocketAddress) server.localAddress()).getPort();
        InetAddress one = InetAddress.getByName("127.0.0.1");
        InetAddress two = InetAddress.getByName("127.0.0.2");
        List<Channel> fromOne = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            fromOne.add(connect(one, port, accepted));
        }
        Channel fromTwo = connect(two, port, accepted);

        boolean shares = transport != Transport.NIO;
        assertThat(SharedAddresses.available(fromTwo.getClass())).as("shared on " + transport).isEqualTo(shares);
        InetSocketAddress firstLocal = (InetSocketAddress) fromOne.get(0).localAddress();
        InetAddress firstPeer = ((InetSocketAddress) fromOne.get(0).remoteAddress()).getAddress();
        for (Channel ch : fromOne) {
            assertThat(ch.localAddress()).isEqualTo(new InetSocketAddress(one, port));
            InetSocketAddress peer = (InetSocketAddress) ch.remoteAddress();
            assertThat(peer.getAddress()).isEqualTo(one);
            if (shares) {
                assertThat(ch.localAddress()).as("one local address object").isSameAs(firstLocal);
                assertThat(peer.getAddress()).as("one peer IP object").isSameAs(firstPeer);
            } else if (ch != fromOne.get(0)) {
                assertThat(ch.localAddress()).as("NIO: its own").isNotSameAs(firstLocal);
            }
        }
        assertThat(fromOne.stream().map(ch -> ((InetSocketAddress) ch.remoteAddress()).getPort()))
                .as("each connection's own port, as the client saw it")
                .containsExactlyElementsOf(clients.subList(0, 3).stream().map(Socket::getLocalPort).toList());
        assertThat(((InetSocketAddress) fromTwo.remoteAddress()).getAddress()).isEqualTo(two);
        assertThat(((InetSocketAddress) fromTwo.remoteAddress()).getPort()).isEqualTo(clients.get(3).getLocalPort());
        if (shares) {
            assertThat(fromTwo.localAddress()).as("the same listener address").isSameAs(firstLocal);
        }
    }

    private Channel connect(InetAddress from, int port, LinkedBlockingQueue<Channel> accepted) throws Exception {
        Socket s = new Socket();
        clients.add(s);
        s.bind(new InetSocketAddress(from, 0));
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        Channel ch = accepted.poll(5, TimeUnit.SECONDS);
        assertThat(ch).as("accepted").isNotNull();
        return ch;
    }
}
