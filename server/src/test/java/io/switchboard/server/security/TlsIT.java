package io.switchboard.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.protocol.MessageType;
import io.switchboard.server.config.TlsConfig;
import io.switchboard.server.testing.TestServer;
import io.switchboard.server.testing.WsClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** WSS end to end with generated certificates, and certificate reload without a restart. */
class TlsIT {

    @TempDir
    Path dir;

    private Path[] certificate(String name) throws Exception {
        return io.switchboard.server.testing.Certificates.selfSigned(dir, name);
    }

    @Test
    void wssWorksAndANewCertificateIsPickedUpWithoutRestart() throws Exception {
        Path[] first = certificate("first");
        Path[] second = certificate("second");
        Path cert = dir.resolve("live.crt");
        Path key = dir.resolve("live.key");
        Files.copy(first[0], cert);
        Files.copy(first[1], key);
        try (TestServer node = TestServer.start(TestServer.config().tls(TlsConfig.NONE.withFiles(cert, key)))) {
            try (WsClient c = WsClient.to(node.port()).tls().token(node.token("alice")).connect()) {
                assertThat(c.awaitType(MessageType.WELCOME).payloadText()).contains("\"userId\":\"alice\"");
                assertThat(c.peerCertificate().getSubjectX500Principal().getName()).isEqualTo("CN=first");
                assertThat(c.tlsProtocol()).isIn("TLSv1.3", "TLSv1.2");
                assertThat(c.subscribe("chat:tls").type()).isEqualTo(MessageType.ACK);
                c.publish("chat:tls", "\"over tls\"");
                assertThat(c.awaitType(MessageType.MESSAGE).payloadText()).isEqualTo("\"over tls\"");
            }
            // HTTPS on the same port.
            javax.net.ssl.SSLContext trustAll = javax.net.ssl.SSLContext.getInstance("TLS");
            trustAll.init(null, io.netty.handler.ssl.util.InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
            var http = java.net.http.HttpClient.newBuilder().sslContext(trustAll).build();
            var health = http.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("https://127.0.0.1:" + node.port() + "/healthz")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);

            // Replace the files: new connections get the new certificate, by the file watcher alone.
            Files.copy(second[1], key, StandardCopyOption.REPLACE_EXISTING);
            Files.copy(second[0], cert, StandardCopyOption.REPLACE_EXISTING);
            Files.setLastModifiedTime(cert, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                try (WsClient c = WsClient.to(node.port()).tls().token(node.token("bob")).connect()) {
                    assertThat(c.peerCertificate().getSubjectX500Principal().getName()).isEqualTo("CN=second");
                }
            });
            // An explicit reload (what SIGHUP does) works too, and a broken file keeps the old certificate.
            Files.writeString(cert, "not a certificate");
            assertThat(node.server.tls().reload()).isFalse();
            try (WsClient c = WsClient.to(node.port()).tls().token(node.token("carol")).connect()) {
                assertThat(c.peerCertificate().getSubjectX500Principal().getName()).isEqualTo("CN=second");
                assertThat(c.awaitType(MessageType.WELCOME)).isNotNull();
            }
        }
    }

    @Test
    void plainWebSocketToATlsPortDoesNotGetIn() throws Exception {
        Path[] c1 = certificate("only");
        try (TestServer node = TestServer.start(TestServer.config().tls(TlsConfig.NONE.withFiles(c1[0], c1[1])))) {
            WsClient plain = null;
            try {
                plain = WsClient.to(node.port()).token(node.token("x")).connect();
                assertThat(plain.received.poll(500, TimeUnit.MILLISECONDS)).isNull();
            } catch (Exception refused) {
                assertThat(refused).isNotNull(); // the handshake never completes in clear text
            } finally {
                if (plain != null) {
                    plain.close();
                }
            }
        }
    }
}
