package io.switchboard.client;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Configures a {@link SwitchboardClient}; get one from {@link SwitchboardClient#builder(String)}. Not
 * thread-safe; {@link #build()} may be called more than once, each time for a new, independent client.
 */
public final class SwitchboardClientBuilder {

    private final URI uri;
    private String token;
    private Supplier<String> tokenSupplier;
    private Duration minReconnectDelay = Duration.ofMillis(500);
    private Duration maxReconnectDelay = Duration.ofSeconds(20);
    private Duration commandTimeout = Duration.ofSeconds(10);
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration stableAfter = Duration.ofSeconds(5);
    private int maxQueuedCommands = 100;
    private Executor callbackExecutor;
    private HttpClient httpClient;
    private RandomGenerator random;
    private final List<ConnectionListener> listeners = new ArrayList<>();
    private Protocol protocol = Protocol.JSON;
    // Test seams (package-private): replace the network, the clock and the client's loop.
    private Transport transport;
    private Scheduler scheduler;
    private Executor loopExecutor;

    SwitchboardClientBuilder(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (scheme.equals("http")) {
            uri = URI.create("ws" + uri.toString().substring(4));
        } else if (scheme.equals("https")) {
            uri = URI.create("wss" + uri.toString().substring(5));
        } else if (!scheme.equals("ws") && !scheme.equals("wss")) {
            throw new IllegalArgumentException("the URL must be ws://, wss://, http:// or https://, not " + uri);
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("the URL has no host: " + uri);
        }
        this.uri = uri;
    }

    /** A fixed token (JWT), sent as {@code Authorization: Bearer}. Without a token the client connects anonymously. */
    public SwitchboardClientBuilder token(String token) {
        this.token = token;
        return this;
    }

    /**
     * Where to get a token: called (on the callback executor, so it may block) before every connection
     * attempt, and again shortly before the current token expires, to renew it on the live connection with a
     * {@code refresh} command. Takes precedence over {@link #token(String)}. It may throw; the client then
     * reports {@code token_unavailable} and retries with backoff.
     */
    public SwitchboardClientBuilder tokenSupplier(Supplier<String> supplier) {
        this.tokenSupplier = supplier;
        return this;
    }

    /** Bounds of the reconnect backoff (default 0.5 s and 20 s): attempt n waits a random time in [0, min(max, min * 2^n)). */
    public SwitchboardClientBuilder reconnectDelay(Duration min, Duration max) {
        this.minReconnectDelay = Objects.requireNonNull(min);
        this.maxReconnectDelay = Objects.requireNonNull(max);
        return this;
    }

    /** How long a connection must stay up after its welcome before the backoff starts over (default 5 s). */
    public SwitchboardClientBuilder stableAfter(Duration d) {
        this.stableAfter = Objects.requireNonNull(d);
        return this;
    }

    /** Deadline for each command's reply, including time spent queued while disconnected (default 10 s). */
    public SwitchboardClientBuilder commandTimeout(Duration d) {
        this.commandTimeout = positive(d, "commandTimeout");
        return this;
    }

    /** Deadline to open the socket and receive the welcome (default 10 s). */
    public SwitchboardClientBuilder connectTimeout(Duration d) {
        this.connectTimeout = positive(d, "connectTimeout");
        return this;
    }

    /**
     * How many commands may wait for a connection (default 100); beyond that they fail with
     * {@code queue_full}. 0 fails every command issued while disconnected at once, with {@code not_connected}.
     */
    public SwitchboardClientBuilder maxQueuedCommands(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("maxQueuedCommands must be >= 0");
        }
        this.maxQueuedCommands = n;
        return this;
    }

    /**
     * Where listener calls and future completions run (default: a shared pool of daemon threads). Listener
     * calls stay one at a time and in order on any executor. {@code Runnable::run} runs them on the client's
     * own thread: the fastest, but then a callback must never block.
     */
    public SwitchboardClientBuilder callbackExecutor(Executor executor) {
        this.callbackExecutor = Objects.requireNonNull(executor);
        return this;
    }

    /** The JDK HttpClient to open WebSockets with (default: one shared by every client built without one). */
    public SwitchboardClientBuilder httpClient(HttpClient client) {
        this.httpClient = Objects.requireNonNull(client);
        return this;
    }

    /** The random source of the backoff jitter (default: a new {@link Random}); seed it to replay a schedule. */
    public SwitchboardClientBuilder random(RandomGenerator random) {
        this.random = Objects.requireNonNull(random);
        return this;
    }

    /**
     * Where the server's own subscriptions of this client go: called with the channel when the server subscribes
     * the client to a channel it did not subscribe to (a {@code subscribed} push: the token's {@code subscribe}
     * claim, the connect hook, the user's personal channel, or the server API), it returns that subscription's
     * listener. Without one, such subscriptions exist with a listener that ignores everything.
     */
    public SwitchboardClientBuilder onServerSubscription(java.util.function.Function<String, SubscriptionListener> listeners) {
        this.serverSubscriptions = Objects.requireNonNull(listeners);
        return this;
    }

    /**
     * The wire format (default {@link Protocol#JSON}): {@link Protocol#PROTOBUF} speaks
     * {@code switchboard.v1.protobuf}, binary frames and raw-byte payloads (docs/protocol.md section 14).
     * Everything else about the client is the same.
     */
    public SwitchboardClientBuilder protocol(Protocol protocol) {
        this.protocol = Objects.requireNonNull(protocol);
        return this;
    }

    public SwitchboardClientBuilder listener(ConnectionListener listener) {
        listeners.add(Objects.requireNonNull(listener));
        return this;
    }

    private java.util.function.Function<String, SubscriptionListener> serverSubscriptions = channel -> new SubscriptionListener() {
        @Override
        public void onMessage(Message message) {
        }
    };

    SwitchboardClientBuilder transport(Transport t) {
        this.transport = t;
        return this;
    }

    SwitchboardClientBuilder scheduler(Scheduler s) {
        this.scheduler = s;
        return this;
    }

    SwitchboardClientBuilder loopExecutor(Executor e) {
        this.loopExecutor = e;
        return this;
    }

    /** A new client, not connected yet: call {@link SwitchboardClient#connect()}. */
    public SwitchboardClient build() {
        Backoff backoff = new Backoff(minReconnectDelay, maxReconnectDelay);
        Transport t = transport != null ? transport : new JdkTransport(httpClient != null ? httpClient : JdkTransport.sharedHttpClient());
        ClientOptions o = new ClientOptions(uri, token, tokenSupplier, backoff, commandTimeout, connectTimeout, stableAfter,
                maxQueuedCommands, callbackExecutor != null ? callbackExecutor : Scheduler.SharedThreads.CALLBACKS, t,
                scheduler != null ? scheduler : Scheduler.SYSTEM,
                loopExecutor != null ? loopExecutor : Scheduler.SharedThreads.LOOPS,
                random != null ? random : new Random(), List.copyOf(listeners), serverSubscriptions, protocol);
        return new SwitchboardClient(new ClientCore(o));
    }

    private static Duration positive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
        return d;
    }
}
