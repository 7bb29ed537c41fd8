package io.switchboard.server.node;

import io.switchboard.protocol.StreamPosition;
import io.switchboard.server.config.ServerConfig;
import io.switchboard.server.engine.HistoryQuery;
import io.switchboard.server.engine.HistoryResult;
import io.switchboard.server.engine.Publication;
import io.switchboard.server.engine.Streams;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The recovery decision of a subscribe, for {@link ChannelService#recover} (protocol.md 10.3): reads the
 * channel's position and what came after {@code since}, and decides whether the client recovers, or why not
 * ({@code forbidden}, {@code epoch_changed}, {@code bad_position}, {@code out_of_retention}, {@code too_many}).
 * Owns nothing else; thread-safe.
 */
final class StreamRecovery {

    private final ServerConfig config;
    private final Streams streams;

    StreamRecovery(ServerConfig config, Streams streams) {
        this.config = config;
        this.streams = streams;
    }

    CompletableFuture<ChannelService.Recovery> recover(String channel, ChannelService.Grant grant, StreamPosition since) {
        StreamPosition from = grant.mayRecover() ? since : null;
        String refused = since != null && !grant.mayRecover() ? "forbidden" : null;
        HistoryQuery q = from == null ? HistoryQuery.positionOnly() : new HistoryQuery(from.offset(), config.maxRecover() + 1, false);
        return streams.history(channel, q, ChannelService.streamOptions(grant.namespace())).handle((h, failure) -> {
            if (failure != null) {
                throw ChannelException.of(failure, "could not read the channel's history");
            }
            String problem = from == null ? refused : problem(from, h);
            boolean recovered = from != null && problem == null;
            return new ChannelService.Recovery(h.epoch(), h.offset(), recovered, problem, recovered ? h.publications() : List.of());
        });
    }

    /** Null when everything after {@code since} is still in the stream and few enough to send. */
    private String problem(StreamPosition since, HistoryResult h) {
        if (!since.epoch().equals(h.epoch())) {
            return "epoch_changed";
        }
        if (since.offset() > h.offset()) {
            return "bad_position";
        }
        if (since.offset() < h.earliest() - 1) {
            return "out_of_retention";
        }
        if (h.offset() - since.offset() > config.maxRecover()) {
            return "too_many";
        }
        // Recovered messages are queued at once; they must fit well inside the outbound bound, or
        // the recovery itself would close the connection as a slow consumer.
        long bytes = 0;
        for (Publication p : h.publications()) {
            bytes += p.payload().length + ChannelService.PUSH_OVERHEAD_BYTES / 4;
        }
        return bytes > config.maxQueuedBytes() / 2 ? "too_many" : null;
    }
}
