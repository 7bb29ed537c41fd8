package io.switchboard.server.testing;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.util.ArrayList;
import java.util.List;

/** What a queue under test wrote to an {@link EmbeddedChannel}: each text frame's text, in order. */
public final class Written {

    private Written() {
    }

    /** Runs the channel's pending tasks (the queue's flush), then takes and releases every text frame it wrote. */
    public static List<String> texts(EmbeddedChannel channel) {
        channel.runPendingTasks();
        List<String> texts = new ArrayList<>();
        TextWebSocketFrame f;
        while ((f = channel.readOutbound()) != null) {
            texts.add(f.text());
            f.release();
        }
        return texts;
    }
}
