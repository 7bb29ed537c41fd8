package io.switchboard.server.pusher;

/**
 * What the Pusher connections of a node share while turning the node's pushes into Pusher events. A publication
 * becomes its channel's event once for all of them (the frame {@code PusherSubscription} has the push make,
 * {@code Push.derivedFrame}); a {@code member_added} needs the member's {@code user_info}, read from presence,
 * and the reads of all the channel's subscribers for the same member while one is in flight share that one
 * ({@link #memberInfo}). Thread-safe.
 */
final class PusherTranscoder {

    // "channel \n user" -> the presence read in flight for that member's info
    private final java.util.concurrent.ConcurrentHashMap<String, java.util.concurrent.CompletableFuture<byte[]>> infoReads =
            new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * The member's {@code user_info}: the read in flight for the same member of {@code internal} if there is
     * one, otherwise {@code read}'s, which later callers share until it completes.
     */
    java.util.concurrent.CompletableFuture<byte[]> memberInfo(String internal, String user,
            java.util.function.Supplier<java.util.concurrent.CompletableFuture<byte[]>> read) {
        String key = internal + "\n" + user;
        java.util.concurrent.CompletableFuture<byte[]> mine = new java.util.concurrent.CompletableFuture<>();
        java.util.concurrent.CompletableFuture<byte[]> shared = infoReads.putIfAbsent(key, mine);
        if (shared != null) {
            return shared;
        }
        read.get().whenComplete((info, failure) -> {
            infoReads.remove(key, mine);
            if (failure != null) {
                mine.completeExceptionally(failure);
            } else {
                mine.complete(info);
            }
        });
        return mine;
    }
}
