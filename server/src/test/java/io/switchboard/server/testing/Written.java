package io.switchboard.server.testing;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.util.ArrayList;
import java.util.List;

/**
 * What a connection under test wrote to an {@link EmbeddedChannel}, as frames. A session writes its frames
 * as bytes (the server's {@code ServerFrames}); they are read back the way a client reads them, with Netty's
 * own frame decoder (unmasked frames, extensions' RSV bits allowed), so that a test checks the bytes on the
 * wire, not what the server meant to write. Frames written as Netty objects (the Pusher door's, which pass
 * its frame encoder) are taken as they are.
 */
public final class Written {

    private Written() {
    }

    /** Runs the channel's pending tasks (the queue's flush), then takes and releases every text frame it wrote. */
    public static List<String> texts(EmbeddedChannel channel) {
        List<String> texts = new ArrayList<>();
        for (WebSocketFrame f : frames(channel)) {
            try {
                if (f instanceof TextWebSocketFrame t) {
                    texts.add(t.text());
                }
            } finally {
                f.release();
            }
        }
        return texts;
    }

    /**
     * Runs the channel's pending tasks, then takes every whole frame it wrote, in order; the caller releases them.
     */
    public static List<WebSocketFrame> frames(EmbeddedChannel channel) {
        channel.runPendingTasks();
        EmbeddedChannel client = new EmbeddedChannel(new WebSocket13FrameDecoder(WebSocketDecoderConfig.newBuilder()
                .expectMaskedFrames(false).allowExtensions(true).maxFramePayloadLength(1 << 26).build()));
        List<WebSocketFrame> frames = new ArrayList<>();
        Object m;
        while ((m = channel.readOutbound()) != null) {
            if (m instanceof WebSocketFrame f) {
                frames.add(f);
            } else {
                client.writeInbound((ByteBuf) m);
                WebSocketFrame f;
                while ((f = client.readInbound()) != null) {
                    frames.add(f);
                }
            }
        }
        client.finishAndReleaseAll();
        return frames;
    }
}
