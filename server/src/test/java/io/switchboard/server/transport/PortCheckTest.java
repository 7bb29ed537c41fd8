package io.switchboard.server.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.server.config.ServerConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

class PortCheckTest {

    @Test
    void aTakenPortGetsTheNodesOwnMessage() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            assertThatThrownBy(() -> PortCheck.free(new ServerConfig().bind("127.0.0.1").port(port)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("cannot listen on 127.0.0.1:" + port + ": the address is already in use");
            assertThatThrownBy(() -> PortCheck.free(new ServerConfig().bind("127.0.0.1").port(0).metricsPort(port)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("cannot listen for metrics on 127.0.0.1:" + port + ": the address is already in use");
            // the node's own start, without the check, says the same
            assertThatThrownBy(() -> new SwitchboardServer(new ServerConfig().bind("127.0.0.1").port(port).warmUpSessions(0)).start())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("cannot listen on 127.0.0.1:" + port + ": the address is already in use");
        }
    }

    @Test
    void aNodeThatCannotListenForMetricsGivesItsMainPortBack() throws Exception {
        int main;
        try (ServerSocket probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            main = probe.getLocalPort();
        }
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            SwitchboardServer node = new SwitchboardServer(new ServerConfig().bind("127.0.0.1").port(main)
                    .metricsPort(taken.getLocalPort()).warmUpSessions(0));
            assertThatThrownBy(node::start).isInstanceOf(IllegalStateException.class)
                    .hasMessage("cannot listen for metrics on 127.0.0.1:" + taken.getLocalPort() + ": the address is already in use");
        }
        try (ServerSocket again = new ServerSocket()) {
            again.setReuseAddress(true);
            again.bind(new InetSocketAddress("127.0.0.1", main)); // the failed start closed its main port
            assertThat(again.getLocalPort()).isEqualTo(main);
        }
    }

    @Test
    void theWildcardIsCheckedAsTheNodeBindsIt() throws Exception {
        // The node's epoll socket binds 0.0.0.0 as IPv6's dual-stack wildcard, as Java's ServerSocket does: an
        // IPv6 listener on [::1] keeps both from the port, so the check refuses exactly what the node would.
        try (java.nio.channels.ServerSocketChannel v6 = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.INET6)) {
            v6.bind(new InetSocketAddress("::1", 0));
            int port = ((InetSocketAddress) v6.getLocalAddress()).getPort();
            String taken = "cannot listen on 0.0.0.0:" + port + ": the address is already in use";
            assertThatThrownBy(() -> PortCheck.free(new ServerConfig().bind("0.0.0.0").port(port))).hasMessage(taken);
            SwitchboardServer node = new SwitchboardServer(new ServerConfig().bind("0.0.0.0").port(port).warmUpSessions(0)
                    .tls(new io.switchboard.server.config.TlsConfig(null, null, true)));
            assertThatThrownBy(node::start).hasMessage(taken);
        }
    }

    @Test
    void aFreePortPassesTheCheckAndIsFreeAgainAfterwards() throws IOException {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        PortCheck.free(new ServerConfig().bind("127.0.0.1").port(port));
        try (ServerSocket again = new ServerSocket()) {
            again.setReuseAddress(true);
            again.bind(new InetSocketAddress("127.0.0.1", port)); // the check let it go
            assertThat(again.getLocalPort()).isEqualTo(port);
        }
    }
}
