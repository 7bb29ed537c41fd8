package io.switchboard.client;

import io.switchboard.protocol.ChannelNames;
import io.switchboard.protocol.Envelope;
import io.switchboard.protocol.MessageType;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A Switchboard client: one WebSocket connection that keeps itself alive. It reconnects with backoff
 * after every loss the protocol says to retry, resubscribes every {@link Subscription} (recovering what
 * was missed on channels with history), answers the server's heartbeats, and treats a silent connection
 * as dead. See {@code docs/client-java.md}.
 *
 * <pre>{@code
 * SwitchboardClient client = SwitchboardClient.builder("ws://127.0.0.1:8080/ws").token(jwt).build();
 * client.subscribe("chat:lobby", m -> System.out.println(m.from() + ": " + m.payload()));
 * client.connect().join();
 * client.publish("chat:lobby", "{\"text\":\"hello\"}").join();
 * client.close();
 * }</pre>
 *
 * <p>Thread-safe: every method may be called from any thread, including from listeners. Commands
 * return {@link CompletableFuture}s that complete on the callback executor, never on the client's I/O
 * thread (unless a direct callback executor was configured). Programming errors (an invalid channel name,
 * a payload that is not JSON) throw {@link IllegalArgumentException} at once; everything the server or
 * the network decides fails the future with a {@link SwitchboardException}.
 */
public final class SwitchboardClient implements AutoCloseable {

    private final ClientCore core;

    SwitchboardClient(ClientCore core) {
        this.core = core;
    }

    /** A builder for a client of the server at {@code url}, e.g. {@code ws://127.0.0.1:8080/ws}. */
    public static SwitchboardClientBuilder builder(String url) {
        return new SwitchboardClientBuilder(URI.create(url));
    }

    public static SwitchboardClientBuilder builder(URI url) {
        return new SwitchboardClientBuilder(url);
    }

    /**
     * Starts connecting (and from then on reconnecting). The future completes with the first
     * {@code welcome}, or fails once the client stops for good before that, e.g. with code
     * {@code unauthorized} for a refused token. Calling it while connecting or connected changes
     * nothing; after the server stopped the client for good (state {@link ConnectionState#CLOSED}) it
     * starts over. Throws nothing; after {@link #close()} the future fails.
     */
    public CompletableFuture<Welcome> connect() {
        return core.connect();
    }

    public ConnectionState state() {
        return core.state();
    }

    /** The current connection's welcome, or null while not connected. */
    public Welcome welcome() {
        return core.welcome();
    }

    public void addListener(ConnectionListener listener) {
        core.listeners.add(Objects.requireNonNull(listener));
    }

    public void removeListener(ConnectionListener listener) {
        core.listeners.remove(listener);
    }

    /**
     * Follows {@code channel}, returning at once; the subscribe is sent now if connected, otherwise on
     * connect. One subscription per channel and client.
     *
     * @throws IllegalArgumentException for an invalid channel name
     * @throws IllegalStateException    when this client already has a subscription to the channel, or was closed
     */
    public Subscription subscribe(String channel, SubscriptionListener listener) {
        Objects.requireNonNull(listener, "listener");
        if (core.closedByUser()) {
            throw new IllegalStateException("this client was closed");
        }
        return core.subscriptions.add(channel, listener);
    }

    /**
     * Publishes a JSON payload (an object, array, string, number, true, false or null, as JSON text). The
     * future completes with the server's ack. While disconnected the command waits in a bounded queue (or
     * fails at once, see {@link SwitchboardClientBuilder#maxQueuedCommands}).
     */
    public CompletableFuture<PublishResult> publish(String channel, String json) {
        return publish(channel, json, null);
    }

    /**
     * As {@link #publish(String, String)}, with an idempotency key: on channels with history, the server
     * applies a publish with a key it has seen (within its idempotency window) only once. Retry a publish that
     * failed with {@code disconnected} or {@code timeout} with the same key.
     */
    public CompletableFuture<PublishResult> publish(String channel, String json, String idempotencyKey) {
        checkChannel(channel);
        byte[] payload = Objects.requireNonNull(json, "json").getBytes(StandardCharsets.UTF_8);
        JsonTree.validate(payload);
        Envelope.Builder b = Envelope.builder(MessageType.PUBLISH).channel(channel).payload(payload).idempotencyKey(idempotencyKey);
        return core.command(MessageType.PUBLISH, b, (ack, rtt) -> {
            if (ack.payload() == null) {
                return new PublishResult(null, -1);
            }
            JsonTree.Node n = JsonTree.parse(ack.payload());
            return new PublishResult(n.string("epoch"), n.longValue("offset", -1));
        });
    }

    /**
     * Calls the application's backend over this connection (the {@code rpc} command): {@code method} names the
     * procedure (1 to 64 of {@code A-Z a-z 0-9 _ . : -}), {@code json} is its argument as JSON text (or null for
     * none). The future completes with the backend's result as JSON text ({@code "null"} for none), or fails with
     * a {@link SwitchboardException}: the backend's refusal ({@code forbidden}, {@code bad_request}, ...),
     * {@code rate_limited} when the method is called faster than its limit, {@code not_available} on a node
     * without an rpc hook, {@code unavailable} (retryable) when the backend could not answer.
     */
    public CompletableFuture<String> rpc(String method, String json) {
        Objects.requireNonNull(method, "method");
        String problem = method.isEmpty() ? "method is empty" : io.switchboard.protocol.Commands.rpcMethodProblem(method);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        byte[] payload = json == null ? null : json.getBytes(StandardCharsets.UTF_8);
        if (payload != null) {
            JsonTree.validate(payload);
        }
        Envelope.Builder b = Envelope.builder(MessageType.RPC).method(method).payload(payload);
        return core.command(MessageType.RPC, b,
                (ack, rtt) -> ack.payload() == null ? "null" : new String(ack.payload(), StandardCharsets.UTF_8));
    }

    /**
     * Publishes a payload of any bytes. Over {@link Protocol#PROTOBUF} they travel as they are; over JSON
     * bytes that are not one JSON value go as {@code payloadBase64}. Subscribers read them with
     * {@link Message#payloadBytes()}; JSON subscribers of other SDKs get bytes that are not JSON in
     * base64 (docs/protocol.md 3.6). The server allows three quarters of the JSON payload limit for them.
     */
    public CompletableFuture<PublishResult> publish(String channel, byte[] payload) {
        return publish(channel, payload, null);
    }

    /** As {@link #publish(String, byte[])}, with an idempotency key (see {@link #publish(String, String, String)}). */
    public CompletableFuture<PublishResult> publish(String channel, byte[] payload, String idempotencyKey) {
        checkChannel(channel);
        Envelope.Builder b = Envelope.builder(MessageType.PUBLISH).channel(channel)
                .payload(Objects.requireNonNull(payload, "payload").clone()).idempotencyKey(idempotencyKey);
        return core.command(MessageType.PUBLISH, b, (ack, rtt) -> {
            if (ack.payload() == null) {
                return new PublishResult(null, -1);
            }
            JsonTree.Node n = JsonTree.parse(ack.payload());
            return new PublishResult(n.string("epoch"), n.longValue("offset", -1));
        });
    }

    /** Measures the round-trip time to the server with a {@code ping} command. */
    public CompletableFuture<Duration> ping() {
        return core.command(MessageType.PING, Envelope.builder(MessageType.PING), (pong, rtt) -> Duration.ofNanos(rtt));
    }

    /** Reads a channel's history (channels whose namespace keeps history; otherwise fails with {@code not_available}). */
    public CompletableFuture<HistoryPage> history(String channel, HistoryQuery query) {
        checkChannel(channel);
        Envelope.Builder b = Envelope.builder(MessageType.HISTORY).channel(channel).since(query.since()).limit(query.limit())
                .reverse(query.reverse() ? Boolean.TRUE : null);
        return core.command(MessageType.HISTORY, b, (ack, rtt) -> {
            JsonTree.Node n = JsonTree.parse(ack.payload());
            String epoch = n.string("epoch");
            List<Message> messages = new ArrayList<>();
            JsonTree.Node pubs = n.get("publications");
            if (pubs != null) {
                for (JsonTree.Node p : pubs.items()) {
                    JsonTree.Node payload = p.get("payload");
                    String base64 = p.string("payloadBase64"); // a binary payload (docs/protocol.md 3.6)
                    byte[] bytes = base64 != null ? java.util.Base64.getDecoder().decode(base64)
                            : payload == null ? "null".getBytes(StandardCharsets.UTF_8) : payload.raw();
                    messages.add(new Message(channel, bytes,
                            p.string("from"), p.longValue("ts", 0), p.longValue("offset", -1), epoch));
                }
            }
            return new HistoryPage(epoch, n.longValue("offset", -1), messages);
        });
    }

    /**
     * Everyone subscribed to a channel that tracks presence (otherwise fails with {@code not_available}),
     * read page by page; meant for channels small enough to list (see {@link SubscriptionListener#onPresenceCount}).
     */
    public CompletableFuture<Presence> presence(String channel) {
        return allPages(channel, null, new ArrayList<>());
    }

    private CompletableFuture<Presence> allPages(String channel, String cursor, List<Presence.Client> into) {
        return presence(channel, 1000, cursor).thenCompose(page -> {
            into.addAll(page.clients());
            return page.cursor() == null ? CompletableFuture.completedFuture(new Presence(into, page.users(), page.connections(), null))
                    : allPages(channel, page.cursor(), into);
        });
    }

    /**
     * One page of a channel's presence: up to {@code limit} connections (0 to 1000; 0 gives the counts
     * alone) after {@code cursor} (null: from the first), the {@link Presence#cursor()} of the page before.
     * A cursor of another channel fails with {@code bad_request}.
     */
    public CompletableFuture<Presence> presence(String channel, int limit, String cursor) {
        checkChannel(channel);
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be 0 or more");
        }
        Envelope.Builder b = Envelope.builder(MessageType.PRESENCE).channel(channel).limit(limit).cursor(cursor);
        return core.command(MessageType.PRESENCE, b, (ack, rtt) -> {
            JsonTree.Node n = JsonTree.parse(ack.payload());
            List<Presence.Client> clients = new ArrayList<>();
            JsonTree.Node list = n.get("clients");
            if (list != null) {
                for (JsonTree.Node c : list.items()) {
                    JsonTree.Node info = c.get("info");
                    clients.add(new Presence.Client(c.string("clientId"), c.string("userId"), info == null ? null : info.rawText()));
                }
            }
            return new Presence(clients, n.longValue("users", clients.size()), n.longValue("connections", clients.size()),
                    n.string("cursor"));
        });
    }

    /**
     * Closes the connection (code 1000) and stops for good: no reconnect, every pending command fails with
     * {@code closed}, every subscription ends. Idempotent. Returns once that is done (or after 5 s if the
     * client's thread is busy), unless called from the client's own thread.
     */
    @Override
    public void close() {
        core.close();
    }

    private static void checkChannel(String channel) {
        String problem = ChannelNames.problem(channel);
        if (problem != null) {
            throw new IllegalArgumentException(problem + ": " + channel);
        }
    }
}
