package io.switchboard.server.config;

import io.switchboard.protocol.ChannelNames;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The namespaces of a node. Unless configured otherwise there are two: the default namespace
 * ({@code ""}, for names without a colon) and {@code chat}, so that the quick start shows history and
 * presence. A channel whose namespace is not here does not exist ({@code unknown_channel}).
 */
public final class Namespaces {

    private final Map<String, NamespaceConfig> byName;
    // The same, in name order: what is listed (--print-config, config check) reads the same on every run.
    private final List<NamespaceConfig> inNameOrder;

    private Namespaces(Map<String, NamespaceConfig> byName) {
        this.byName = Map.copyOf(byName);
        this.inNameOrder = this.byName.values().stream().sorted(Comparator.comparing(NamespaceConfig::name)).toList();
    }

    public static Namespaces defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The namespace of a valid channel name, or null when the channel's namespace is unknown. */
    public NamespaceConfig forChannel(String channel) {
        return byName.get(ChannelNames.namespace(channel));
    }

    public NamespaceConfig get(String name) {
        return byName.get(name);
    }

    /** These namespaces with {@code more} added (replacing any of the same name). */
    public Namespaces plus(Collection<NamespaceConfig> more) {
        Map<String, NamespaceConfig> m = new LinkedHashMap<>(byName);
        more.forEach(ns -> m.put(ns.name(), ns));
        return new Namespaces(m);
    }

    /** Every namespace, in name order (the default namespace, {@code ""}, first). */
    public Collection<NamespaceConfig> all() {
        return inNameOrder;
    }

    /** Starts from the shipped defaults; {@link #put} replaces or adds one. */
    public static final class Builder {
        private final Map<String, NamespaceConfig> map = new LinkedHashMap<>();

        private Builder() {
            map.put("", NamespaceConfig.plain(""));
            map.put("chat", NamespaceConfig.chat());
        }

        public Builder put(NamespaceConfig ns) {
            map.put(ns.name(), ns);
            return this;
        }

        public Builder remove(String name) {
            map.remove(name);
            return this;
        }

        public Namespaces build() {
            return new Namespaces(map);
        }
    }
}
