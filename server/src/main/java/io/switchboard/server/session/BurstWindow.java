package io.switchboard.server.session;

import java.time.Duration;

/**
 * Counts one kind of event in fixed windows (bad commands, refused commands) and says when one window
 * holds more than the limit. Event loop only, like its session.
 */
final class BurstWindow {

    private final int limit;
    private final long windowMillis;
    private long start;
    private int count;

    BurstWindow(int limit, Duration window) {
        this.limit = limit;
        this.windowMillis = window.toMillis();
    }

    /** Counts one event at {@code nowMillis}; true when the current window now holds more than the limit. */
    boolean countIsOver(long nowMillis) {
        if (nowMillis - start > windowMillis) {
            start = nowMillis;
            count = 0;
        }
        return ++count > limit;
    }
}
