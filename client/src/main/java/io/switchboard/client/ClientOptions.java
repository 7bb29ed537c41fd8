package io.switchboard.client;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/** Everything a client was built with; made by {@link SwitchboardClientBuilder}. Immutable. */
record ClientOptions(URI uri, String token, Supplier<String> tokenSupplier, Backoff backoff, Duration commandTimeout,
                     Duration connectTimeout, Duration stableAfter, int maxQueuedCommands, Executor callbackExecutor,
                     Transport transport, Scheduler scheduler, Executor loopExecutor, RandomGenerator random,
                     List<ConnectionListener> listeners,
                     java.util.function.Function<String, SubscriptionListener> serverSubscriptions, Protocol protocol) {
}
