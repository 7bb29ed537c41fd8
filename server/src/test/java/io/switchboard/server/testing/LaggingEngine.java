package io.switchboard.server.testing;

import io.switchboard.server.engine.Engine;
import io.switchboard.server.engine.PresenceUpdate;
import io.switchboard.server.engine.Publication;
import io.switchboard.server.engine.PublicationSink;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * An engine whose live feed lags behind its streams, as a node's broker feed does in a cluster: every
 * publication reaches the node's sink {@code lagMillis} after the engine delivered it, in the same order
 * (one thread), while publishes and history reads go straight to the real engine. A history read can
 * therefore see offsets this node's subscribers have not been handed yet.
 */
public final class LaggingEngine extends ForwardingEngine {

    private final long lagMillis;
    private final ScheduledExecutorService feed = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "lagging-feed");
        t.setDaemon(true);
        return t;
    });

    public LaggingEngine(Engine real, long lagMillis) {
        super(real);
        this.lagMillis = lagMillis;
    }

    @Override
    public CompletableFuture<Void> start(PublicationSink sink) {
        return real.start(new PublicationSink() {
            @Override
            public void onPublication(Publication p) {
                feed.schedule(() -> sink.onPublication(p), lagMillis, TimeUnit.MILLISECONDS);
            }

            @Override
            public void onPresenceUpdate(PresenceUpdate u) {
                feed.schedule(() -> sink.onPresenceUpdate(u), lagMillis, TimeUnit.MILLISECONDS);
            }

            @Override
            public void onControl(byte[] message) {
                sink.onControl(message);
            }

            @Override
            public void onGap(String channel) {
                feed.schedule(() -> sink.onGap(channel), lagMillis, TimeUnit.MILLISECONDS);
            }

            @Override
            public void onReconnected() {
                sink.onReconnected();
            }
        });
    }

    @Override
    public String name() {
        return "lagging(" + real.name() + ")";
    }

    @Override
    public void close() {
        feed.shutdownNow();
        real.close();
    }
}
