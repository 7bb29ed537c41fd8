package io.switchboard.server.transport;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.SingleThreadIoEventLoop;
import io.netty.util.concurrent.RejectedExecutionHandlers;
import java.util.concurrent.Executor;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import java.util.Locale;

/**
 * The I/O transport ({@code --transport}): Linux epoll when its native library loads and Java NIO
 * otherwise ({@code auto}, the default), or one named: {@code epoll}, {@code io_uring} (Linux 5.14 or newer,
 * where the kernel and the container allow it) or {@code nio}.
 */
public enum Transport {
    EPOLL, IO_URING, NIO;

    /**
     * How long an event loop runs queued tasks before it reads its sockets again. Netty's default (a second)
     * lets a loop that keeps getting tasks from the other loops (the hub's fan-out tasks, one per loop per
     * push) leave its own connections unread for up to that long: in the rooms benchmark, where every
     * connection publishes, the p99 went from 39 ms to a second. A few milliseconds keep reading and
     * delivering interleaved (measured in docs/benchmarks.md).
     */
    static final long TASK_QUANTUM_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(
            Long.getLong("switchboard.eventLoop.taskQuantumMs", 5));

    /** The choices {@code --transport} takes. */
    public static final String CHOICES = "auto|epoll|io_uring|nio";

    public static Transport best() {
        return Epoll.isAvailable() ? EPOLL : NIO;
    }

    /**
     * The transport {@code --transport} names ({@code auto}: {@link #best}).
     *
     * @throws IllegalStateException when the named one cannot run here, saying why
     */
    public static Transport of(String name) {
        if (name == null || name.equals("auto")) {
            return best();
        }
        Transport t = valueOf(name.toUpperCase(Locale.ROOT));
        Throwable why = t == EPOLL ? Epoll.unavailabilityCause() : t == IO_URING ? IoUring.unavailabilityCause() : null;
        if (why != null) {
            throw new IllegalStateException("--transport " + t + " cannot run here: " + why.getMessage()
                    + " (use --transport auto)");
        }
        return t;
    }

    public EventLoopGroup newGroup(int threads, String name) {
        IoHandlerFactory factory = switch (this) {
            case EPOLL -> EpollIoHandler.newFactory();
            case IO_URING -> IoUringIoHandler.newFactory();
            case NIO -> NioIoHandler.newFactory();
        };
        return new MultiThreadIoEventLoopGroup(threads, new io.netty.util.concurrent.DefaultThreadFactory(name, true), factory) {
            @Override
            protected IoEventLoop newChild(Executor executor, IoHandlerFactory ioHandlerFactory, Object... args) {
                return new SingleThreadIoEventLoop(this, executor, ioHandlerFactory, Integer.MAX_VALUE,
                        RejectedExecutionHandlers.reject(), TASK_QUANTUM_NANOS);
            }
        };
    }

    public Class<? extends ServerChannel> serverChannel() {
        return switch (this) {
            case EPOLL -> EpollServerSocketChannel.class;
            case IO_URING -> IoUringServerSocketChannel.class;
            case NIO -> NioServerSocketChannel.class;
        };
    }

    /** The client socket channel of this transport (the warm-up's clients use it). */
    public Class<? extends io.netty.channel.socket.SocketChannel> socketChannel() {
        return switch (this) {
            case EPOLL -> io.netty.channel.epoll.EpollSocketChannel.class;
            case IO_URING -> io.netty.channel.uring.IoUringSocketChannel.class;
            case NIO -> io.netty.channel.socket.nio.NioSocketChannel.class;
        };
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
