package io.switchboard.server.testing;

import io.switchboard.server.engine.Engine;
import io.switchboard.server.engine.HistoryQuery;
import io.switchboard.server.engine.HistoryResult;
import io.switchboard.server.engine.PresenceEntry;
import io.switchboard.server.engine.PublicationSink;
import io.switchboard.server.engine.PublishRequest;
import io.switchboard.server.engine.PublishResult;
import io.switchboard.server.engine.StreamOptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An engine that forces the race recovery must survive: just before a history read of a channel it
 * publishes one message there, so the message lands after the live subscription started but before
 * the read. Everything else goes to the real engine.
 */
public final class RacingEngine extends ForwardingEngine {

    /** When set, the next history read of this request's channel first publishes it. */
    public final AtomicReference<PublishRequest> publishBeforeNextRead = new AtomicReference<>();

    public RacingEngine(Engine real) {
        super(real);
    }

    @Override
    public CompletableFuture<HistoryResult> history(String channel, HistoryQuery query, StreamOptions stream) {
        PublishRequest r = publishBeforeNextRead.get();
        if (r != null && r.channel().equals(channel) && publishBeforeNextRead.compareAndSet(r, null)) {
            real.publish(r).join();
        }
        return real.history(channel, query, stream);
    }

    @Override
    public String name() {
        return "racing(" + real.name() + ")";
    }
}
