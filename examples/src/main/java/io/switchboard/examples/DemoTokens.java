package io.switchboard.examples;

import io.switchboard.client.Payloads;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Gets a token from a local node's {@code /demo/token} route, which a node bound to loopback serves (see
 * docs/protocol.md, section 12). Real applications get their tokens from their own login service.
 */
public final class DemoTokens {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private DemoTokens() {
    }

    /** A fresh token for {@code user} from the node at {@code httpBase}, e.g. {@code http://127.0.0.1:8080}. */
    public static String fetch(String httpBase, String user) {
        URI uri = URI.create(httpBase + "/demo/token?user=" + URLEncoder.encode(user, StandardCharsets.UTF_8));
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            String token = r.statusCode() == 200 ? Payloads.stringField(r.body(), "token") : null;
            if (token == null) {
                throw new IllegalStateException("no demo token from " + uri + ": HTTP " + r.statusCode() + " " + r.body());
            }
            return token;
        } catch (IOException e) {
            throw new UncheckedIOException("could not reach " + uri, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
