package io.switchboard.server.hooks;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.server.config.HooksConfig;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * How one decision reaches the backend and its answer comes back: the request and the answer are JSON objects
 * (their fields are documented in docs/backend.md), whatever carries them. {@link HttpHookTransport} POSTs
 * them; another transport (gRPC) would map the same objects onto its own messages and keep the same failures.
 *
 * <p>{@link #call} never blocks: it completes later, on a thread of the transport's own, with the answer
 * object, or fails with a {@link HookFailure} saying what went wrong. It must complete within the hook's
 * timeout (a transport that cannot bound it fails with {@link HookFailure.Reason#TIMEOUT}).
 */
public interface HookTransport extends AutoCloseable {

    /**
     * @param hook    which hook, with its address and timeout
     * @param request the decision's input
     * @param headers the handshake headers (and {@code cookie}) to pass on, lower-case names
     */
    CompletableFuture<ObjectNode> call(HooksConfig.Hook hook, ObjectNode request, Map<String, List<String>> headers);

    @Override
    void close();
}
