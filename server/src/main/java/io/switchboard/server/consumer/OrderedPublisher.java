package io.switchboard.server.consumer;

import io.switchboard.protocol.ErrorCode;
import io.switchboard.server.node.Caller;
import io.switchboard.server.node.ChannelException;
import io.switchboard.server.node.ChannelService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Publishes a batch of decoded rows or records through the channel service, as the server side and with
 * each one's idempotency key: one after the other within a channel (so a channel keeps the batch's
 * order), channels side by side. Says for each item whether it was published, must be moved aside (the
 * channel service refused it: unknown namespace, bad name, too large), or must be tried again (the
 * engine failed; the items behind it in the same channel are not tried either, so order holds).
 */
final class OrderedPublisher {

    /** One publication to make. */
    record Item(String channel, byte[] payload, String idempotencyKey) {
    }

    enum Kind { PUBLISHED, DEAD, RETRY }

    /**
     * What became of one item; for DEAD and RETRY a fixed word ({@code code}: an error code of the protocol,
     * e.g. {@code unknown_channel}) and a sentence ({@code reason}).
     */
    record Outcome(Kind kind, String code, String reason) {
        static final Outcome PUBLISHED = new Outcome(Kind.PUBLISHED, null, null);

        static Outcome retry(String reason) {
            return new Outcome(Kind.RETRY, ErrorCode.UNAVAILABLE.wireName(), reason);
        }
    }

    private final ChannelService channels;
    private final Duration timeout;

    OrderedPublisher(ChannelService channels, Duration timeout) {
        this.channels = channels;
        this.timeout = timeout;
    }

    /** Publishes {@code items} and waits for the engine's answers; the outcomes are in the items' order. */
    List<Outcome> publish(List<Item> items) throws InterruptedException {
        Map<String, CompletableFuture<Outcome>> tails = new HashMap<>();
        List<CompletableFuture<Outcome>> all = new ArrayList<>(items.size());
        long ingress = System.nanoTime();
        for (Item item : items) {
            CompletableFuture<Outcome> before = tails.get(item.channel());
            CompletableFuture<Outcome> mine = before == null ? one(item, ingress)
                    : before.thenCompose(prev -> prev.kind() == Kind.RETRY
                            ? CompletableFuture.completedFuture(Outcome.retry("an earlier publication of the channel must be tried again first"))
                            : one(item, ingress));
            tails.put(item.channel(), mine);
            all.add(mine);
        }
        List<Outcome> out = new ArrayList<>(all.size());
        long deadline = System.nanoTime() + timeout.toNanos();
        for (CompletableFuture<Outcome> f : all) {
            try {
                out.add(f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            } catch (TimeoutException e) {
                out.add(Outcome.retry("the engine did not answer in " + timeout.toSeconds() + " s"));
            } catch (ExecutionException e) {
                out.add(Outcome.retry(String.valueOf(e.getCause())));
            }
        }
        return out;
    }

    private CompletableFuture<Outcome> one(Item item, long ingress) {
        try {
            return channels.publish(Caller.server(), item.channel(), item.payload(), item.idempotencyKey(), ingress)
                    .handle((result, failure) -> failure == null ? Outcome.PUBLISHED : outcome(ChannelException.of(failure, "publish failed")));
        } catch (ChannelException e) {
            return CompletableFuture.completedFuture(outcome(e));
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(Outcome.retry(e.toString()));
        }
    }

    private static Outcome outcome(ChannelException e) {
        // Only the engine's failure is worth another try; every other refusal would be refused again.
        Kind kind = e.code() == ErrorCode.UNAVAILABLE ? Kind.RETRY : Kind.DEAD;
        return new Outcome(kind, e.code().wireName(), e.getMessage());
    }
}
