package io.switchboard.server.auth;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** A JWKS endpoint on 127.0.0.1 whose key set a test can rotate, break and count requests to. */
public final class JwksServer implements AutoCloseable {

    private final HttpServer http;
    private final AtomicInteger requests = new AtomicInteger();
    private volatile String document = "{\"keys\":[]}";
    private volatile int status = 200;

    private JwksServer() throws IOException {
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/.well-known/jwks.json", exchange -> {
            requests.incrementAndGet();
            byte[] body = document.getBytes(StandardCharsets.UTF_8);
            int code = status;
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(code, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        http.start();
    }

    public static JwksServer start() throws IOException {
        return new JwksServer();
    }

    public String url() {
        return "http://127.0.0.1:" + http.getAddress().getPort() + "/.well-known/jwks.json";
    }

    /** Serves these keys (kid to public key) from now on, with status 200. */
    public JwksServer serve(Map<String, PublicKey> keys) {
        document = TestKeys.jwks(keys);
        status = 200;
        return this;
    }

    public JwksServer serve(String kid, PublicKey key) {
        Map<String, PublicKey> m = new LinkedHashMap<>();
        m.put(kid, key);
        return serve(m);
    }

    public JwksServer serveRaw(int code, String body) {
        document = body;
        status = code;
        return this;
    }

    public int requests() {
        return requests.get();
    }

    @Override
    public void close() {
        http.stop(0);
    }
}
