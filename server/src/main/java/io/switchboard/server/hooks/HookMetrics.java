package io.switchboard.server.hooks;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the hooks count and log: {@code switchboard_hook_calls_total{hook}},
 * {@code switchboard_hook_errors_total{hook, reason}} and {@code switchboard_hook_seconds{hook}}. A failed
 * call is logged in one line without a stack trace: the first of each hook and reason, then at most one
 * every ten seconds, saying how many were not logged.
 */
final class HookMetrics {

    private static final Logger log = LoggerFactory.getLogger(BackendHooks.class);
    private static final long LOG_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final MeterRegistry registry;
    private final Map<String, Counter> calls = new ConcurrentHashMap<>();
    private final Map<String, Counter> errors = new ConcurrentHashMap<>();
    private final Map<String, Timer> latency = new ConcurrentHashMap<>();
    private final Map<String, long[]> logged = new ConcurrentHashMap<>(); // hook/reason -> {last nanos, unlogged}

    HookMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void called(String hook, long startNanos) {
        calls.computeIfAbsent(hook, h -> Counter.builder("switchboard_hook_calls").tag("hook", h)
                .description("Calls to the backend's hook").register(registry)).increment();
        latency.computeIfAbsent(hook, h -> Timer.builder("switchboard_hook_seconds").tag("hook", h)
                .description("Time from calling the backend's hook to its answer (or failure)").register(registry))
                .record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    }

    void failed(String hook, HookFailure f) {
        String reason = f.reason().tag();
        errors.computeIfAbsent(hook + "/" + reason, k -> Counter.builder("switchboard_hook_errors").tag("hook", hook)
                .tag("reason", reason).description("Calls to the backend's hook that gave no usable answer")
                .register(registry)).increment();
        long now = System.nanoTime();
        long[] state = logged.computeIfAbsent(hook + "/" + reason, k -> new long[] {now - LOG_EVERY_NANOS - 1, 0});
        long unlogged;
        synchronized (state) {
            if (now - state[0] <= LOG_EVERY_NANOS) {
                state[1]++;
                return;
            }
            state[0] = now;
            unlogged = state[1];
            state[1] = 0;
        }
        log.warn("the {} hook failed ({}): {}{}", hook, reason, f.getMessage(),
                unlogged == 0 ? "" : " (and " + unlogged + " more since the last line)");
    }
}
