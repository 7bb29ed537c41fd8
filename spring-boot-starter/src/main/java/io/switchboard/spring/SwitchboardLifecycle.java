package io.switchboard.spring;

import io.switchboard.embedded.Switchboard;
import org.springframework.context.SmartLifecycle;

/**
 * Ties the embedded node to the application context: it starts with the context (before the web server,
 * so that controllers can publish from their first request) and drains when the context stops (after the
 * web server stopped taking requests), within Spring's shutdown phase.
 */
public class SwitchboardLifecycle implements SmartLifecycle {

    /** Started before, and stopped after, the web server's graceful-shutdown phase. */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 2048;

    private final Switchboard switchboard;

    /** The lifecycle of {@code switchboard}. */
    public SwitchboardLifecycle(Switchboard switchboard) {
        this.switchboard = switchboard;
    }

    @Override
    public void start() {
        if (!switchboard.isRunning()) {
            switchboard.start();
        }
    }

    /** Drains: sessions are closed with 1001 over the drain window, new ones refused; blocks until done. */
    @Override
    public void stop() {
        switchboard.close();
    }

    @Override
    public boolean isRunning() {
        return switchboard.isRunning();
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
