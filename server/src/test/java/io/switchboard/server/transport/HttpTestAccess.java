package io.switchboard.server.transport;

/** Package-private transport constants, for tests in other packages. */
public final class HttpTestAccess {

    private HttpTestAccess() {
    }

    public static int maxPipelined() {
        return HttpRequestHandler.MAX_PIPELINED;
    }
}
