package io.switchboard.server.config;

/**
 * One Pusher Channels app: a tenant of the node's Pusher front door (docs/pusher.md). Its channels live in
 * a namespace of their own, {@link #namespace()}, so two apps never see each other's channels.
 *
 * @param id             the app id of the HTTP API's paths ({@code /apps/{id}/...}): 1 to 64 of {@code A-Z a-z 0-9 _ -}
 * @param key            the public key clients connect with ({@code /app/{key}}): 1 to 64 of {@code A-Z a-z 0-9 _ - .}
 * @param secret         signs channel authorizations and HTTP API requests: at least {@value #MIN_SECRET_LENGTH} characters
 * @param clientEvents   whether clients may send {@code client-} events on private and presence channels
 * @param maxConnections open connections the app may have on this node; 0 = no limit (over it: close 4004)
 * @param webhooks       where the app's webhooks go, in Pusher's format (docs/pusher.md)
 */
public record PusherApp(String id, String key, String secret, boolean clientEvents, int maxConnections,
                        java.util.List<Webhook> webhooks) {

    /** The webhook events an app may ask for, as Pusher names them. */
    public static final java.util.List<String> WEBHOOK_EVENTS = java.util.List.of("channel_occupied", "channel_vacated",
            "member_added", "member_removed", "client_event", "cache_miss");

    /**
     * One webhook of an app: a URL and the events it gets, signed with the app's key and secret.
     *
     * @param url    an {@code http://} or {@code https://} URL
     * @param events some of {@link #WEBHOOK_EVENTS}
     */
    public record Webhook(String url, java.util.Set<String> events) {
        public Webhook {
            if (url == null || !(url.startsWith("http://") || url.startsWith("https://"))) {
                throw new InvalidConfigException("pusher-app", "a webhook url must start with http:// or https://");
            }
            if (events == null || events.isEmpty() || !WEBHOOK_EVENTS.containsAll(events)) {
                throw new InvalidConfigException("pusher-app", "a webhook's events must be some of " + WEBHOOK_EVENTS);
            }
            events = java.util.Set.copyOf(events);
        }
    }

    /** An app without webhooks. */
    public PusherApp(String id, String key, String secret, boolean clientEvents, int maxConnections) {
        this(id, key, secret, clientEvents, maxConnections, java.util.List.of());
    }

    public static final int MIN_SECRET_LENGTH = 16;
    /** The prefix of every app's namespace; no configured namespace may start with it. */
    public static final String NAMESPACE_PREFIX = "pusher.";

    public PusherApp {
        if (id == null || !id.matches("[A-Za-z0-9_-]{1,64}")) {
            throw new InvalidConfigException("pusher-app", "id must be 1 to 64 of A-Z a-z 0-9 _ -");
        }
        if (key == null || !key.matches("[A-Za-z0-9_.-]{1,64}")) {
            throw new InvalidConfigException("pusher-app", "key of app " + id + " must be 1 to 64 of A-Z a-z 0-9 _ - .");
        }
        if (secret == null || secret.length() < MIN_SECRET_LENGTH) {
            throw new InvalidConfigException("pusher-app", "secret of app " + id + " must be at least " + MIN_SECRET_LENGTH + " characters");
        }
        if (maxConnections < 0) {
            throw new InvalidConfigException("pusher-app", "max-connections of app " + id + " must be 0 (no limit) or more");
        }
        webhooks = java.util.List.copyOf(webhooks);
    }

    /** This app with these webhooks. */
    public PusherApp withWebhooks(java.util.List<Webhook> list) {
        return new PusherApp(id, key, secret, clientEvents, maxConnections, list);
    }

    /** An app with client events on and no connection limit. */
    public static PusherApp of(String id, String key, String secret) {
        return new PusherApp(id, key, secret, true, 0);
    }

    /** Reads {@code ID:KEY:SECRET} (the command line's and the environment's form); the secret may contain colons. */
    public static PusherApp parse(String text) {
        String[] parts = text.trim().split(":", 3);
        if (parts.length != 3) {
            throw new InvalidConfigException("pusher-app", "must be ID:KEY:SECRET");
        }
        return of(parts[0], parts[1], parts[2]);
    }

    /** The namespace that holds this app's channels: {@code pusher.<id>}. */
    public String namespace() {
        return NAMESPACE_PREFIX + id;
    }

    /** The namespace that holds this app's {@code cache-} channels: {@code pusher.<id>.cache}. */
    public String cacheNamespace() {
        return namespace() + ".cache";
    }

    /** How long a cache channel keeps its last event (Pusher's 30 minutes). */
    public static final java.time.Duration CACHE_TTL = java.time.Duration.ofMinutes(30);

    /** The app's namespaces: {@link #namespaceConfig()}, and the cache channels' (the same, keeping the last event). */
    public java.util.List<NamespaceConfig> namespaceConfigs() {
        NamespaceConfig main = namespaceConfig();
        NamespaceConfig cache = NamespaceConfig.plain(cacheNamespace()).withPresence(true, true)
                .withPresenceWindow(java.time.Duration.ZERO, 0)
                .withAccess(Access.NONE, Access.NONE, Access.NONE, Access.NONE)
                .withHistory(1, CACHE_TTL);
        return java.util.List.of(main, cache);
    }

    /**
     * The namespace's options: live messages only, presence with join and leave updates (the Pusher door joins
     * presence for {@code presence-} channels only), and no access for native clients: only the Pusher door,
     * which checks the app's signatures itself, and the server API reach it.
     */
    public NamespaceConfig namespaceConfig() {
        // Pusher announces every member_added / member_removed: one presence change per push (window 0).
        return NamespaceConfig.plain(namespace()).withPresence(true, true)
                .withPresenceWindow(java.time.Duration.ZERO, 0)
                .withAccess(Access.NONE, Access.NONE, Access.NONE, Access.NONE);
    }

    @Override
    public String toString() {
        return "PusherApp[" + id + ", key=" + key + "]"; // never the secret
    }
}
