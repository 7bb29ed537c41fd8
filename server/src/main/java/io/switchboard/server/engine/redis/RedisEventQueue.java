package io.switchboard.server.engine.redis;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.switchboard.server.engine.EventQueue;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The cluster's event queues in Redis ({@code events.lua}): one stream per queue and one per dead-letter list,
 * on the first Redis server, with every step that changes more than one key done by the script so that it
 * is atomic. A queue is delivered by the holder of its lease, which reads it with XRANGE and removes what was
 * delivered with XDEL. (A consumer group would hand one key's events to several consumers at once and lose
 * their order; one leased reader keeps it.)
 */
final class RedisEventQueue implements EventQueue {

    // One hash tag for every key of the event queues, so that on a Redis Cluster they share a slot; the
    // scripts are routed there by the one key they declare (the prefix itself).
    private static final String PREFIX = "sb:{ev}:";
    private final Shards shards;
    private final String script;

    RedisEventQueue(Shards shards, String script) {
        this.shards = shards;
        this.script = script;
    }

    private CompletableFuture<Object> run(String step, List<byte[]> more, ScriptOutputType type) {
        List<byte[]> args = new ArrayList<>(more.size() + 2);
        args.add(bytes(step));
        args.add(bytes(PREFIX));
        args.addAll(more);
        return Shards.commands(shards.first()).thenCompose(c -> c
                .<Object>eval(script, type, new byte[][] {bytes(PREFIX)}, args.toArray(byte[][]::new)).toCompletableFuture());
    }

    private static void addEvents(List<byte[]> args, List<NewEvent> events) {
        args.add(bytes(Integer.toString(events.size())));
        for (NewEvent e : events) {
            args.add(bytes(e.id()));
            args.add(bytes(e.key()));
            args.add(bytes(String.join("\n", e.queues())));
            args.add(e.body());
            args.add(bytes(e.counter() == null ? "" : e.counter()));
            args.add(bytes(Integer.toString(e.delta())));
        }
    }

    @Override
    public CompletableFuture<Void> appendEvents(List<ConnectionRecord> records, List<NewEvent> events) {
        List<byte[]> args = new ArrayList<>();
        args.add(bytes(Integer.toString(records.size())));
        for (ConnectionRecord r : records) {
            args.add(bytes(r.nodeId()));
            args.add(bytes(r.connectionId()));
            if (r.state() == null) {
                args.add(bytes("-"));
            } else {
                byte[] v = new byte[r.state().length + 1];
                v[0] = '+';
                System.arraycopy(r.state(), 0, v, 1, r.state().length);
                args.add(v);
            }
        }
        addEvents(args, events);
        return run("append", args, ScriptOutputType.INTEGER).thenApply(x -> null);
    }

    @Override
    public CompletableFuture<Void> markAlive(String nodeId, Duration ttl) {
        return Shards.commands(shards.first()).thenCompose(c -> c
                .psetex(bytes(PREFIX + "alive:" + nodeId), Math.max(1, ttl.toMillis()), bytes("1")).toCompletableFuture())
                .thenApply(x -> null);
    }

    @Override
    public CompletableFuture<OrphanedNode> claimOrphans(String claimer) {
        return run("claim", List.of(bytes(claimer)), ScriptOutputType.MULTI).thenApply(out -> {
            List<?> r = (List<?>) out;
            if (r.isEmpty()) {
                return null;
            }
            Map<String, byte[]> conns = new LinkedHashMap<>();
            List<?> flat = (List<?>) r.get(1);
            for (int i = 0; i + 1 < flat.size(); i += 2) {
                conns.put(text(flat.get(i)), (byte[]) flat.get(i + 1));
            }
            return new OrphanedNode(text(r.get(0)), conns);
        });
    }

    @Override
    public CompletableFuture<Boolean> settleOrphans(String deadNode, String claimer, List<NewEvent> events) {
        List<byte[]> args = new ArrayList<>();
        args.add(bytes(deadNode));
        args.add(bytes(claimer));
        addEvents(args, events);
        return run("settle", args, ScriptOutputType.INTEGER).thenApply(r -> ((Long) r) == 1L);
    }

    @Override
    public CompletableFuture<Boolean> leaseQueue(String queue, String holder, Duration ttl) {
        return run("lease", List.of(bytes(queue), bytes(holder), bytes(Long.toString(Math.max(1, ttl.toMillis())))),
                ScriptOutputType.INTEGER).thenApply(r -> ((Long) r) == 1L);
    }

    @Override
    public CompletableFuture<List<QueuedEvent>> peekEvents(String queue, int max) {
        return range(PREFIX + "q:" + queue, max);
    }

    @Override
    public CompletableFuture<List<QueuedEvent>> deadLetters(String queue, int max) {
        return range(PREFIX + "dl:" + queue, max);
    }

    private CompletableFuture<List<QueuedEvent>> range(String key, int max) {
        return Shards.commands(shards.first()).thenCompose(c -> c
                .xrange(bytes(key), Range.create("-", "+"), Limit.from(max)).toCompletableFuture())
                .thenApply(RedisEventQueue::events);
    }

    private static List<QueuedEvent> events(List<StreamMessage<byte[], byte[]>> messages) {
        List<QueuedEvent> out = new ArrayList<>(messages.size());
        for (StreamMessage<byte[], byte[]> m : messages) {
            String id = null;
            String key = null;
            long seq = 0;
            long ts = 0;
            byte[] body = null;
            for (Map.Entry<byte[], byte[]> f : m.getBody().entrySet()) {
                byte[] v = f.getValue();
                switch (text(f.getKey())) {
                    case "i" -> id = text(v);
                    case "k" -> key = text(v);
                    case "s" -> seq = Long.parseLong(text(v));
                    case "t" -> ts = Long.parseLong(text(v));
                    case "b" -> body = v;
                    default -> { }
                }
            }
            out.add(new QueuedEvent(m.getId(), id, key, seq, ts, body));
        }
        return out;
    }

    @Override
    public CompletableFuture<Void> removeEvents(String queue, List<QueuedEvent> events, boolean deadLetter) {
        if (events.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        List<byte[]> args = new ArrayList<>();
        args.add(bytes(queue));
        args.add(bytes(deadLetter ? "1" : "0"));
        events.forEach(e -> args.add(bytes(e.position())));
        return run("remove", args, ScriptOutputType.INTEGER).thenApply(x -> null);
    }

    @Override
    public CompletableFuture<Integer> replayDeadLetters(String queue, List<String> ids) {
        List<byte[]> args = new ArrayList<>();
        args.add(bytes(queue));
        ids.forEach(id -> args.add(bytes(id)));
        return run("replay", args, ScriptOutputType.INTEGER).thenApply(r -> ((Long) r).intValue());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(Object o) {
        return new String((byte[]) o, StandardCharsets.UTF_8);
    }
}
