package io.switchboard.client;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stands in for a load balancer in front of several nodes: each new connection goes to the next node in
 * the list, whatever URL the client was built with, so a client whose node died reconnects to another.
 */
final class RoundRobinTransport implements Transport {

    private final Transport real = new JdkTransport(HttpClient.newHttpClient());
    private final List<URI> nodes;
    private final AtomicInteger next;

    RoundRobinTransport(List<String> nodeUrls, int first) {
        this.nodes = nodeUrls.stream().map(URI::create).toList();
        this.next = new AtomicInteger(first);
    }

    @Override
    public CompletableFuture<Void> open(URI uri, String token, Duration timeout, Listener listener) {
        URI target = nodes.get(Math.floorMod(next.getAndIncrement(), nodes.size()));
        return real.open(target, token, timeout, listener);
    }
}
