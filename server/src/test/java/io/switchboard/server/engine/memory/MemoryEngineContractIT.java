package io.switchboard.server.engine.memory;

import io.switchboard.server.engine.Engine;
import io.switchboard.server.engine.EngineContract;
import java.time.Duration;

/** The engine contract against the single-node memory engine (sweeping often, so expiry tests are quick). */
class MemoryEngineContractIT extends EngineContract {

    @Override
    protected Engine newEngine() {
        return new MemoryEngine(Duration.ofMillis(20));
    }

    @Override
    public boolean sharesState() {
        return false;
    }

    @Override
    protected String expectedName() {
        return "memory";
    }
}
