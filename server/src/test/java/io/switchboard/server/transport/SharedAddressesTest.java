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

    /** Starts a listener on 127.0.0.1 whose connections share; {@code askFirst}: each asks for its addresses before. */
    private int listen(Transport transport, boolean askFirst, LinkedBlockingQueue<Channel> accepted) throws Exception {
        group = transport.newGroup(1, "shared-addresses-test");
        server = new ServerBootstrap().group(group).channel(transport.serverChannel())
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (askFirst) { // fills AbstractChannel's caches with Netty's own objects
                            assertThat(ch.localAddress()).isNotNull();
                            assertThat(ch.remoteAddress()).isNotNull();
                        }
                        SharedAddresses.share(ch);
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter());
                        accepted.add(ch);
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void connectionsFromOneIpShareTheirAddressObjectsAndEachKeepsItsOwnPort(Transport transport) throws Exception {
        sharesAndKeepsItsOwn(transport, false);
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "IO_URING"})
    void addressesAlreadyAskedForAreSharedToo(Transport transport) throws Exception {
        sharesAndKeepsItsOwn(transport, true);
    }

    private void sharesAndKeepsItsOwn(Transport transport, boolean askFirst) throws Exception {
        LinkedBlockingQueue<Channel> accepted = new LinkedBlockingQueue<>();
        int port = listen(transport, askFirst, accepted);
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
        for (int i = 0; i < fromOne.size(); i++) {
            Channel ch = fromOne.get(i);
            assertThat(ch.localAddress()).isEqualTo(new InetSocketAddress(one, port));
            InetSocketAddress peer = (InetSocketAddress) ch.remoteAddress();
            assertThat(peer.getAddress()).isEqualTo(one);
            assertThat(peer).hasToString("/127.0.0.1:" + clients.get(i).getLocalPort());
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

    /**
     * More peer IPs than the loop's table has places ({@value SharedAddresses#PEERS}), twice over: whatever
     * the table holds or drops, each connection reports its own IP and port.
     */
    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "IO_URING"})
    void moreIpsThanTheTableHoldsEachConnectionReportsItsOwn(Transport transport) throws Exception {
        LinkedBlockingQueue<Channel> accepted = new LinkedBlockingQueue<>();
        int port = listen(transport, false, accepted);
        List<Channel> channels = new ArrayList<>();
        List<InetAddress> sources = new ArrayList<>();
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < SharedAddresses.PEERS + 16; i++) {
                InetAddress from = InetAddress.getByName("127.0." + (1 + i / 200) + "." + (10 + i % 200));
                sources.add(from);
                channels.add(connect(from, port, accepted));
            }
        }
        for (int i = 0; i < channels.size(); i++) {
            InetSocketAddress peer = (InetSocketAddress) channels.get(i).remoteAddress();
            assertThat(peer.getAddress()).as("connection %d", i).isEqualTo(sources.get(i));
            assertThat(peer.getPort()).as("connection %d", i).isEqualTo(clients.get(i).getLocalPort());
        }
        // An IPv4 address's hash is its 32 bits, so its place is its last byte modulo 64: 127.0.1.40 (i = 30)
        // keeps its place through the first round and is shared in the second; 127.0.1.10 (i = 0) loses its
        // place to 127.0.1.74 (i = 64), so the second round's 127.0.1.10 is an object of its own.
        int round = SharedAddresses.PEERS + 16;
        assertThat(ip(channels.get(round + 30))).as("127.0.1.40 again: shared").isSameAs(ip(channels.get(30)));
        assertThat(ip(channels.get(round))).as("127.0.1.10 again, its place taken meanwhile").isNotSameAs(ip(channels.get(0)));
    }

    private static InetAddress ip(Channel ch) {
        return ((InetSocketAddress) ch.remoteAddress()).getAddress();
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
