package io.switchboard.client;

import io.switchboard.protocol.Envelope;
import io.switchboard.protocol.MessageType;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Renews the token of a live connection before it expires: shortly before {@code expiresAt} it asks the
 * token supplier for a new token and sends it with a {@code refresh} command; the ack's new
 * {@code expiresAt} starts the next round. Failures are reported and otherwise left to the server, which
 * then closes with 4004, after which the reconnect asks the supplier again. Confined to the client's loop.
 */
final class TokenRefresher {

    /** Refresh this long before expiry at most (or at three quarters of a shorter life). */
    static final long MAX_LEAD_MILLIS = 60_000;

    private final Supplier<String> supplier;
    private final Executor supplierExecutor;
    private final Executor loop;
    private final Scheduler clock;
    private final PendingCommands commands;
    private final Consumer<SwitchboardException> onError;
    private Scheduler.Cancellable timer;
    private long run; // bumped by start() and stop(): work of an earlier connection is dropped

    TokenRefresher(Supplier<String> supplier, Executor supplierExecutor, Executor loop, Scheduler clock,
                   PendingCommands commands, Consumer<SwitchboardException> onError) {
        this.supplier = supplier;
        this.supplierExecutor = supplierExecutor;
        this.loop = loop;
        this.clock = clock;
        this.commands = commands;
        this.onError = onError;
    }

    /** A connection whose token expires at {@code expiresAt} (null: never) is up. */
    void start(Instant expiresAt) {
        stop();
        schedule(expiresAt);
    }

    void stop() {
        run++;
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }

    private void schedule(Instant expiresAt) {
        if (supplier == null || expiresAt == null) {
            return;
        }
        long remaining = expiresAt.toEpochMilli() - System.currentTimeMillis();
        long lead = Math.min(MAX_LEAD_MILLIS, Math.max(0, remaining / 4));
        long mine = run;
        timer = clock.schedule(() -> loop.execute(() -> {
            if (mine == run) {
                timer = null;
                refresh(mine);
            }
        }), TimeUnit.MILLISECONDS.toNanos(Math.max(0, remaining - lead)));
    }

    private void refresh(long mine) {
        CompletableFuture.supplyAsync(supplier, supplierExecutor).whenComplete((token, failure) -> loop.execute(() -> {
            if (mine != run) {
                return;
            }
            if (failure != null || token == null || token.isEmpty()) {
                onError.accept(new SwitchboardException(SwitchboardException.TOKEN_UNAVAILABLE, "could not refresh the token: "
                        + (failure == null ? "the supplier returned none" : failure), true, failure));
                return;
            }
            commands.issue(MessageType.REFRESH, Envelope.builder(MessageType.REFRESH).token(token), (reply, error, sentAt) -> {
                if (mine != run) {
                    return;
                }
                if (error != null) {
                    onError.accept(error);
                    return;
                }
                Long expiresAt;
                try {
                    expiresAt = reply.payload() == null ? null : JsonTree.parse(reply.payload()).longValue("expiresAt");
                } catch (IllegalArgumentException unreadable) {
                    expiresAt = null; // no new expiry known: no further refresh
                }
                schedule(expiresAt == null ? null : Instant.ofEpochMilli(expiresAt));
            });
        }));
    }
}
