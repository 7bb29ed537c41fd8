package io.switchboard.server.hub;

import io.netty.buffer.ByteBuf;

/** A local receiver of a channel's messages: in practice a session's outbound queue. */
public interface Subscriber {

    /**
     * Queues one encoded envelope for sending. Takes ownership of {@code frame} (releases it when sent or
     * dropped). Callable from any thread; calls for one channel arrive in publish order.
     */
    void deliver(ByteBuf frame);
}
