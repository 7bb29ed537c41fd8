package io.switchboard.server.session;

import io.switchboard.server.config.NamespaceConfig;
import io.switchboard.server.engine.StreamOptions;

/** Lets tests in other packages use package-private helpers of the session package. */
public final class TestAccess {

    private TestAccess() {
    }

    public static StreamOptions streamOptionsOf(NamespaceConfig ns) {
        return ChannelCommands.streamOptions(ns);
    }
}
