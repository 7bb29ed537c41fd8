package io.switchboard.server.engine;

/** The engine's answer to a publish: the position it got, or -1/null when the channel keeps no history. */
public record PublishResult(long offset, String epoch) {

    public static final PublishResult NO_POSITION = new PublishResult(-1, null);

    public boolean hasPosition() {
        return epoch != null;
    }
}
