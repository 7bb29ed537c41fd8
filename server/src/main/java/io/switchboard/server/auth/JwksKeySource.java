package io.switchboard.server.auth;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keys of a JWKS URL, fetched in the background and cached. Handshakes only read {@link #current()}
 * and may ask for an early refresh with {@link #refreshSoon()}; neither waits for the network. The set is
 * fetched at start, then every refresh interval; an early refresh happens at most once per minimum
 * interval, so tokens naming unknown key ids cannot make the node hammer the key server. A failed fetch
 * keeps the last good set and is retried sooner.
 *
 * <p>All fetching runs on one shared daemon thread. The scheduled refresh holds this source only weakly,
 * so a node that is dropped without {@link #close()} stops polling once it is collected.
 */
final class JwksKeySource implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(JwksKeySource.class);

    static final int MAX_DOCUMENT_BYTES = 1024 * 1024;
    static final Duration FETCH_TIMEOUT = Duration.ofSeconds(10);
    static final Duration MAX_RETRY_DELAY = Duration.ofSeconds(10);

    /** The keys of one successful fetch. */
    record KeySet(List<VerificationKey> keys, long fetchedAtMillis) {
        boolean hasKid(String kid) {
            for (VerificationKey k : keys) {
                if (kid.equals(k.kid())) {
                    return true;
                }
            }
            return false;
        }
    }

    private final URI uri;
    private final long refreshNanos;
    private final long minRefreshNanos;
    // The last good key set; null until a fetch succeeds. Written only on the fetch thread.
    private volatile KeySet current;
    // True while a fetch is in flight, so that at most one runs at a time.
    private final AtomicBoolean fetching = new AtomicBoolean();
    // True while an early fetch is queued, so that a burst of unknown kids queues one task, not one each.
    private final AtomicBoolean earlyQueued = new AtomicBoolean();
    // When the last fetch started (System.nanoTime), or Long.MIN_VALUE before the first. Written on the fetch thread.
    private volatile long lastFetchStart = Long.MIN_VALUE;
    // Set once by close(); no fetch starts after it.
    private volatile boolean closed;
    // The next periodic fetch; guarded by this.
    private ScheduledFuture<?> next;
    // Completed when the first fetch ends, successfully or not.
    private final CompletableFuture<Void> firstAttempt = new CompletableFuture<>();
    // Fetches that got an answer or failed; for tests and logs.
    private final AtomicLong completedFetches = new AtomicLong();
    // Failed fetches since the last success; touched only on the fetch thread.
    private int failuresInARow;

    JwksKeySource(URI uri, Duration refreshInterval, Duration minRefreshInterval) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new IllegalArgumentException("--jwks-url must be an http or https URL, not '" + uri + "'");
        }
        if (refreshInterval.isNegative() || refreshInterval.isZero()) {
            throw new IllegalArgumentException("--jwks-refresh-interval must be positive");
        }
        if (minRefreshInterval.isNegative()) {
            throw new IllegalArgumentException("--jwks-min-refresh-interval must not be negative");
        }
        this.uri = uri;
        this.refreshNanos = refreshInterval.toNanos();
        this.minRefreshNanos = minRefreshInterval.toNanos();
    }

    /** Starts the first fetch in the background. */
    JwksKeySource start() {
        if (scheme().equals("http") && !isLoopbackHost()) {
            log.warn("the JWKS at {} is fetched over plain http: anyone on the path can substitute keys; use https", uri);
        }
        Shared.EXECUTOR.execute(() -> fetch(false));
        return this;
    }

    /** Waits up to {@code timeout} for the first fetch to end; true when keys are loaded. Never call on an event loop. */
    boolean awaitFirstFetch(Duration timeout) {
        try {
            firstAttempt.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // carry on: handshakes are refused as unavailable until a fetch succeeds
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return current != null;
    }

    /** The keys of the last successful fetch, or null when none has succeeded yet. Any thread; never blocks. */
    KeySet current() {
        return current;
    }

    URI uri() {
        return uri;
    }

    long completedFetches() {
        return completedFetches.get();
    }

    /**
     * Asks for a fetch now, because a token named a key id the cached set lacks (or no set is loaded).
     * Returns at once; does nothing while a fetch is in flight or within the minimum interval of the last.
     */
    void refreshSoon() {
        if (closed || fetching.get() || withinMinInterval(System.nanoTime()) || !earlyQueued.compareAndSet(false, true)) {
            return;
        }
        Shared.EXECUTOR.execute(() -> {
            earlyQueued.set(false);
            fetch(true);
        });
    }

    private boolean withinMinInterval(long now) {
        long last = lastFetchStart;
        return last != Long.MIN_VALUE && now - last < minRefreshNanos;
    }

    // Runs on the shared fetch thread only.
    private void fetch(boolean early) {
        long now = System.nanoTime();
        if (closed || (early && withinMinInterval(now)) || !fetching.compareAndSet(false, true)) {
            return;
        }
        lastFetchStart = now;
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(FETCH_TIMEOUT)
                .header("Accept", "application/jwk-set+json, application/json").GET().build();
        CompletableFuture<HttpResponse<byte[]>> response;
        try {
            response = Shared.HTTP.sendAsync(request, info -> info.statusCode() == 200
                    ? new LimitedBody(MAX_DOCUMENT_BYTES)
                    : HttpResponse.BodySubscribers.replacing(null));
        } catch (RuntimeException e) {
            response = CompletableFuture.failedFuture(e);
        }
        response.orTimeout(FETCH_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS)
                .whenCompleteAsync(this::finish, Shared.EXECUTOR);
    }

    private void finish(HttpResponse<byte[]> response, Throwable failure) {
        boolean ok = false;
        try {
            if (failure != null) {
                failed(describe(failure));
            } else if (response.statusCode() != 200) {
                failed("HTTP status " + response.statusCode());
            } else {
                List<String> skipped = new ArrayList<>();
                List<VerificationKey> keys = JwksDocument.parse(new String(response.body(), StandardCharsets.UTF_8),
                        uri.toString(), skipped::add);
                KeySet previous = current;
                current = new KeySet(List.copyOf(keys), System.currentTimeMillis());
                ok = true;
                failuresInARow = 0;
                if (previous == null || !kids(previous.keys()).equals(kids(keys)) || previous.keys().size() != keys.size()) {
                    log.info("JWKS {}: {} usable key(s), kids {}{}", uri, keys.size(), kids(keys),
                            skipped.isEmpty() ? "" : "; skipped " + skipped);
                } else {
                    log.debug("JWKS {}: unchanged ({} keys)", uri, keys.size());
                }
            }
        } catch (ParseException e) {
            failed("the answer is not a JWKS document: " + e.getMessage());
        } catch (RuntimeException e) {
            failed(e.toString());
        } finally {
            completedFetches.incrementAndGet();
            fetching.set(false);
            firstAttempt.complete(null);
            scheduleNext(ok ? refreshNanos : Math.min(refreshNanos, MAX_RETRY_DELAY.toNanos()));
        }
    }

    private void failed(String why) {
        failuresInARow++;
        KeySet kept = current;
        // The first failure of a run is a warning; the retries that follow only every 30th time.
        if (failuresInARow != 1 && failuresInARow % 30 != 0) {
            log.debug("JWKS {} could not be fetched ({} times in a row): {}", uri, failuresInARow, why);
            return;
        }
        log.warn("JWKS {} could not be fetched{}: {}; {}", uri, failuresInARow == 1 ? "" : " (" + failuresInARow + " times in a row)", why, kept == null
                ? "tokens that need its keys are refused until it loads"
                : "keeping the " + kept.keys().size() + " key(s) loaded " + (System.currentTimeMillis() - kept.fetchedAtMillis()) / 1000 + " s ago");
    }

    private synchronized void scheduleNext(long delayNanos) {
        if (closed) {
            return;
        }
        if (next != null) {
            next.cancel(false);
        }
        next = Shared.EXECUTOR.schedule(new Tick(this), delayNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void close() {
        closed = true;
        synchronized (this) {
            if (next != null) {
                next.cancel(false);
                next = null;
            }
        }
    }

    private String scheme() {
        return uri.getScheme().toLowerCase(Locale.ROOT);
    }

    private boolean isLoopbackHost() {
        String h = uri.getHost();
        return h.equals("localhost") || h.startsWith("127.") || h.equals("[::1]") || h.equals("::1");
    }

    private static Set<String> kids(List<VerificationKey> keys) {
        Set<String> out = new TreeSet<>();
        for (VerificationKey k : keys) {
            out.add(k.kid() == null ? "(none)" : k.kid());
        }
        return out;
    }

    private static String describe(Throwable t) {
        Throwable cause = t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
        if (cause instanceof TimeoutException || cause instanceof java.net.http.HttpTimeoutException) {
            return "no answer within " + FETCH_TIMEOUT.toSeconds() + " s";
        }
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }

    /** The periodic fetch; holds its source weakly so that a forgotten node is not kept alive by its timer. */
    private static final class Tick implements Runnable {
        private final WeakReference<JwksKeySource> source;

        Tick(JwksKeySource source) {
            this.source = new WeakReference<>(source);
        }

        @Override
        public void run() {
            JwksKeySource s = source.get();
            if (s != null) {
                s.fetch(false);
            }
        }
    }

    /** Collects a response body up to a size limit, and fails past it. */
    private static final class LimitedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final int limit;
        private final CompletableFuture<byte[]> body = new CompletableFuture<>();
        // Touched only by the HTTP client's delivery, which is serialised per subscriber.
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private Flow.Subscription subscription;

        LimitedBody(int limit) {
            this.limit = limit;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (body.isDone()) {
                return;
            }
            for (ByteBuffer b : items) {
                if (buffer.size() + b.remaining() > limit) {
                    subscription.cancel();
                    body.completeExceptionally(new IOException("the document is larger than " + limit + " bytes"));
                    return;
                }
                byte[] chunk = new byte[b.remaining()];
                b.get(chunk);
                buffer.write(chunk, 0, chunk.length);
            }
        }

        @Override
        public void onError(Throwable t) {
            body.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            body.complete(buffer.toByteArray());
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return body;
        }
    }

    /** One fetch thread and one HTTP client for every JWKS source in the JVM; daemon, never shut down. */
    private static final class Shared {
        static final ScheduledThreadPoolExecutor EXECUTOR;
        static final HttpClient HTTP;

        static {
            EXECUTOR = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "switchboard-jwks");
                t.setDaemon(true);
                return t;
            });
            EXECUTOR.setRemoveOnCancelPolicy(true);
            HTTP = HttpClient.newBuilder()
                    .connectTimeout(FETCH_TIMEOUT)
                    .followRedirects(HttpClient.Redirect.NORMAL)
                    .executor(EXECUTOR)
                    .build();
        }
    }
}
