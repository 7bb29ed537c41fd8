package io.switchboard.server.cli;

import sun.misc.Signal;

/**
 * SIGTERM and SIGINT start a graceful drain. The JDK's signal hook is used instead of a shutdown hook so
 * that the process can finish the drain and exit with status 0 rather than 143.
 */
final class Signals {

    private Signals() {
    }

    static void onTermination(Runnable drain) {
        Runnable once = new Runnable() {
            private boolean started;

            @Override
            public synchronized void run() {
                if (!started) {
                    started = true;
                    Thread t = new Thread(drain, "switchboard-drain");
                    t.start();
                }
            }
        };
        Signal.handle(new Signal("TERM"), s -> once.run());
        Signal.handle(new Signal("INT"), s -> once.run());
    }

    /** SIGHUP runs {@code reload} (on its own thread, so the signal handler returns at once). */
    static void onHangup(Runnable reload) {
        Signal.handle(new Signal("HUP"), s -> new Thread(reload, "switchboard-reload").start());
    }
}
