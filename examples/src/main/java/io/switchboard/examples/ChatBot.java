package io.switchboard.examples;

import io.switchboard.client.ConnectionListener;
import io.switchboard.client.Disconnect;
import io.switchboard.client.Message;
import io.switchboard.client.Payloads;
import io.switchboard.client.PresenceEvent;
import io.switchboard.client.SubscribeResult;
import io.switchboard.client.SubscriptionListener;
import io.switchboard.client.SwitchboardClient;
import io.switchboard.client.SwitchboardException;
import io.switchboard.client.Welcome;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * A chat bot for the demo lobby. Start a node with {@code ./switchboard}, open http://127.0.0.1:8080/ in a
 * browser, then run
 *
 * <pre>
 * ./mvnw -q -B -pl examples -am package -DskipTests
 * java -jar examples/target/chat-bot.jar http://127.0.0.1:8080 bot
 * </pre>
 *
 * It joins {@code chat:lobby}, greets users who come online, and answers messages that start with
 * {@code !} or mention it: {@code !help}, {@code !time}, {@code !ping}, anything else is echoed. It
 * keeps running across server restarts: the client reconnects and resubscribes by itself.
 */
public final class ChatBot implements SubscriptionListener, AutoCloseable {

    static final String LOBBY = "chat:lobby";

    private final String name;
    private final SwitchboardClient client;

    private ChatBot(String httpBase, String name) {
        this.name = name;
        this.client = SwitchboardClient.builder(httpBase.replaceFirst("^http", "ws") + "/ws")
                .tokenSupplier(() -> DemoTokens.fetch(httpBase, name))
                .listener(new ConnectionListener() {
                    @Override
                    public void onConnected(Welcome w) {
                        log("connected as " + w.userId());
                    }

                    @Override
                    public void onDisconnected(Disconnect d) {
                        log("disconnected (" + d.code() + " " + d.reason() + ")" + (d.willRetry() ? "; reconnecting" : ""));
                    }
                })
                .build();
    }

    /** Starts a bot called {@code name} on the node at {@code httpBase} ({@code http://host:port}); completes once it is connected. */
    public static CompletableFuture<ChatBot> start(String httpBase, String name) {
        ChatBot bot = new ChatBot(httpBase, name);
        bot.client.subscribe(LOBBY, bot);
        return bot.client.connect().thenApply(w -> bot);
    }

    public static void main(String[] args) throws Exception {
        String node = args.length > 0 ? args[0] : "http://127.0.0.1:8080";
        String name = args.length > 1 ? args[1] : "bot";
        ChatBot bot = start(node, name).get();
        Runtime.getRuntime().addShutdownHook(new Thread(bot::close));
        log(name + " is in " + LOBBY + "; Ctrl-C to stop");
        Thread.currentThread().join();
    }

    @Override
    public void onMessage(Message m) {
        if (name.equals(m.from())) {
            return; // our own replies come back too
        }
        String text = Payloads.stringField(m.payload(), "text");
        if (text == null) {
            return;
        }
        String who = Payloads.stringField(m.payload(), "name");
        String sender = who == null || who.isBlank() ? (m.from() == null ? "someone" : m.from()) : who;
        String command = text.trim().toLowerCase(Locale.ROOT);
        if (command.equals("!ping")) {
            client.ping().thenAccept(rtt -> say("@" + sender + ": round trip to the server: " + rtt.toMillis() + " ms"));
        } else if (command.startsWith("!") || command.contains(name.toLowerCase(Locale.ROOT))) {
            say(answer(sender, text.trim(), command));
        }
    }

    private String answer(String sender, String text, String command) {
        if (command.equals("!help")) {
            return "@" + sender + ": I know !help, !time and !ping; anything else addressed to me I repeat.";
        }
        if (command.equals("!time")) {
            return "@" + sender + ": it is " + LocalTime.now().truncatedTo(ChronoUnit.SECONDS) + " here.";
        }
        return "@" + sender + ": you said \"" + text + "\"";
    }

    @Override
    public void onPresence(PresenceEvent e) {
        if (e.online() && !name.equals(e.userId())) {
            say("Welcome, " + e.userId() + "! Type !help to talk to me.");
        }
    }

    @Override
    public void onSubscribed(SubscribeResult r) {
        if (r.mayHaveMissedMessages()) {
            log("back in " + LOBBY + "; some messages were missed (" + (r.reason() == null ? "live channel" : r.reason()) + ")");
        }
    }

    private void say(String text) {
        client.publish(LOBBY, Payloads.object("text", text, "name", name)).exceptionally(e -> {
            log("could not answer: " + (e.getCause() instanceof SwitchboardException s ? s.code() : e));
            return null;
        });
    }

    private static void log(String line) {
        System.out.println("[chat-bot] " + line);
    }

    @Override
    public void close() {
        client.close();
    }
}
