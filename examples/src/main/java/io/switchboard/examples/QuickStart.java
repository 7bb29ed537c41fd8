package io.switchboard.examples;

import io.switchboard.client.ConnectionListener;
import io.switchboard.client.Disconnect;
import io.switchboard.client.Payloads;
import io.switchboard.client.PublishResult;
import io.switchboard.client.Subscription;
import io.switchboard.client.SwitchboardClient;
import io.switchboard.client.Welcome;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;

/**
 * The example of docs/client-java.md, kept here so that every build compiles it: connect to a local node
 * ({@code ./switchboard}), follow {@code chat:lobby}, say hello, and print what others say for a minute.
 */
public final class QuickStart {

    public static void main(String[] args) throws Exception {
        String node = args.length > 0 ? args[0] : "http://127.0.0.1:8080";

        SwitchboardClient client = SwitchboardClient.builder(node.replaceFirst("^http", "ws") + "/ws")
                // Asked before every connection attempt, so a reconnect never uses an expired token.
                .tokenSupplier(() -> demoToken(node, "java-quickstart"))
                .listener(new ConnectionListener() {
                    @Override
                    public void onConnected(Welcome w) {
                        System.out.println("connected as " + w.userId() + " (session " + w.sessionId() + ")");
                    }

                    @Override
                    public void onDisconnected(Disconnect d) {
                        System.out.println("disconnected: " + d.code() + " " + d.reason()
                                + (d.willRetry() ? ", retrying in " + d.retryIn().toMillis() + " ms" : ", giving up"));
                    }
                })
                .build();

        Subscription lobby = client.subscribe("chat:lobby", message ->
                System.out.println(message.from() + ": " + Payloads.stringField(message.payload(), "text")));

        client.connect().get(10, TimeUnit.SECONDS);
        PublishResult ack = client.publish("chat:lobby", Payloads.object("text", "hello from Java", "name", "java"))
                .get(10, TimeUnit.SECONDS);
        System.out.println("published at offset " + ack.offset() + ", round trip " + client.ping().get().toMillis() + " ms");

        Thread.sleep(60_000);
        lobby.unsubscribe();
        client.close();
    }

    /** A token from the node's demo route (served by a node bound to loopback); use your own login service instead. */
    static String demoToken(String node, String user) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(node + "/demo/token?user=" + user)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return Payloads.stringField(r.body(), "token");
        } catch (Exception e) {
            throw new IllegalStateException("no demo token from " + node, e);
        }
    }
}
