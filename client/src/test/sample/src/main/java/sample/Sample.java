package sample;

import io.switchboard.client.Payloads;
import io.switchboard.client.SwitchboardClient;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Connects with a token, subscribes, publishes once and prints what comes back: {@code Sample WS_URL TOKEN}. */
public final class Sample {

    public static void main(String[] args) throws Exception {
        CompletableFuture<String> received = new CompletableFuture<>();
        try (SwitchboardClient client = SwitchboardClient.builder(args[0]).token(args[1]).build()) {
            client.subscribe("chat:sample", m -> received.complete(Payloads.stringField(m.payload(), "text")));
            client.connect().get(20, TimeUnit.SECONDS);
            client.publish("chat:sample", Payloads.object("text", "hello from the sample")).get(20, TimeUnit.SECONDS);
            System.out.println("received: " + received.get(20, TimeUnit.SECONDS));
        }
    }
}
