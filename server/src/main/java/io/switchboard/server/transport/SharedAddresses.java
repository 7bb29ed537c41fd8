package io.switchboard.server.transport;

import io.netty.channel.AbstractChannel;
import io.netty.channel.Channel;
import io.netty.util.concurrent.FastThreadLocal;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets accepted connections with equal addresses hold one address object between them. Netty's epoll and
 * io_uring channels read both ends of an accepted socket when they make it and keep them: two
 * {@code InetSocketAddress}es, each with an {@code InetAddress} and two holders, 192 bytes on JDK 17 and
 * 160 with compact object headers. Every connection a listener takes on one interface has the same local
 * address, and connections that come through a proxy or a load balancer (or a benchmark's generators) come
 * from a handful of peer IPs; at 100,000 connections the copies are 19 MB of heap.
 *
 * <p>{@link #share} gives a new connection the local address an earlier connection on the same event loop
 * holds when the two are equal, and the peer {@code InetAddress} an earlier one holds when the IPs are equal
 * (the port stays the connection's own). What {@code localAddress()} and {@code remoteAddress()} return is
 * equal to what Netty made; only the objects are shared. They are immutable except for the host name an
 * {@code InetAddress} caches after a reverse lookup ({@code getHostName}), which the server never makes.
 *
 * <p>Netty offers no way to choose these objects, so this sets the private fields its channel classes keep
 * them in ({@code local} and {@code remote}), found once by name. Where they cannot be reached (another Netty
 * version, Netty on the module path) or the transport is NIO (the JDK's socket keeps its own), connections keep
 * their own addresses, as Netty made them: {@link #available} says which, and SharedAddressesTest fails when an
 * upgrade of Netty moves the fields.
 *
 * <p>Each event loop keeps a few addresses of its own (no locks, no map): a direct-mapped table of
 * {@value #LOCALS} local addresses and {@value #PEERS} peer IPs. A connection whose address is not in the table
 * takes its slot, so a node with clients from many IPs keeps what Netty made, at the cost of one lookup.
 */
final class SharedAddresses {

    private static final Logger log = LoggerFactory.getLogger(SharedAddresses.class);
    static final int LOCALS = 8;
    static final int PEERS = 64;

    /** A channel class's {@code local} and {@code remote} fields. */
    private record Fields(Class<?> owner, VarHandle local, VarHandle remote) {
    }

    private static final Fields[] FIELDS = {
            find("io.netty.channel.epoll.AbstractEpollChannel"),
            find("io.netty.channel.uring.AbstractIoUringChannel"),
    };
    /** AbstractChannel's caches of what localAddress() and remoteAddress() returned first (null until asked). */
    private static final VarHandle CACHED_LOCAL = handle(AbstractChannel.class, "localAddress");
    private static final VarHandle CACHED_REMOTE = handle(AbstractChannel.class, "remoteAddress");

    private static final FastThreadLocal<Table> TABLE = new FastThreadLocal<>() {
        @Override
        protected Table initialValue() {
            return new Table();
        }
    };

    private static final class Table {
        final InetSocketAddress[] locals = new InetSocketAddress[LOCALS];
        final InetAddress[] peers = new InetAddress[PEERS];
    }

    private SharedAddresses() {
    }

    /** True when connections of this channel class share their addresses. */
    static boolean available(Class<? extends Channel> channelClass) {
        return fieldsOf(channelClass) != null;
    }

    /**
     * Gives {@code ch} the address objects an earlier connection on this thread holds where they are equal.
     * Called on the channel's event loop, once, before its handlers run.
     */
    static void share(Channel ch) {
        Fields f = fieldsOf(ch.getClass());
        if (f == null) {
            return;
        }
        Table t = TABLE.get();
        if (f.local.get(ch) instanceof InetSocketAddress local && !scoped(local.getAddress())) {
            int i = (local.hashCode() & 0x7fffffff) % LOCALS;
            InetSocketAddress held = t.locals[i];
            if (held != local && local.equals(held)) {
                set(f.local, CACHED_LOCAL, ch, local, held);
            } else {
                t.locals[i] = local;
            }
        }
        if (f.remote.get(ch) instanceof InetSocketAddress remote && !remote.isUnresolved() && !scoped(remote.getAddress())) {
            InetAddress ip = remote.getAddress();
            int i = (ip.hashCode() & 0x7fffffff) % PEERS;
            InetAddress held = t.peers[i];
            if (held != ip && ip.equals(held)) {
                set(f.remote, CACHED_REMOTE, ch, remote, new InetSocketAddress(held, remote.getPort()));
            } else {
                t.peers[i] = ip;
            }
        }
    }

    /**
     * True for an IPv6 address with a scope (a link-local one): {@code equals} ignores the scope, so two such
     * addresses on different interfaces would be taken for one. They keep their own.
     */
    private static boolean scoped(InetAddress ip) {
        return ip instanceof Inet6Address v6 && (v6.getScopeId() != 0 || v6.getScopedInterface() != null);
    }

    /** Puts {@code to} in the channel's field, and in AbstractChannel's cache if that already holds {@code from}. */
    private static void set(VarHandle field, VarHandle cache, Channel ch, SocketAddress from, SocketAddress to) {
        field.setVolatile(ch, to);
        if (cache != null) {
            cache.compareAndSet(ch, from, to);
        }
    }

    private static Fields fieldsOf(Class<?> channelClass) {
        for (Fields f : FIELDS) {
            if (f != null && f.owner.isAssignableFrom(channelClass)) {
                return f;
            }
        }
        return null;
    }

    private static Fields find(String className) {
        Class<?> owner;
        try {
            owner = Class.forName(className, false, SharedAddresses.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return null; // that transport is not on the class path: nothing of it to share
        }
        VarHandle local = handle(owner, "local");
        VarHandle remote = handle(owner, "remote");
        return local == null || remote == null ? null : new Fields(owner, local, remote);
    }

    private static VarHandle handle(Class<?> owner, String name) {
        try {
            return MethodHandles.privateLookupIn(owner, MethodHandles.lookup())
                    .findVarHandle(owner, name, SocketAddress.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.debug("connections keep their own addresses: {}.{} cannot be reached ({})", owner.getName(), name,
                    e.toString());
            return null;
        }
    }
}
