package io.switchboard.server.cli;

import io.switchboard.protocol.Envelope;
import io.switchboard.server.Version;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "version", description = "Print the version and the protocol version.")
final class VersionCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        System.out.println("switchboard " + Version.get() + " (protocol v" + Envelope.VERSION + ", Java "
                + Runtime.version().feature() + ")");
        return 0;
    }
}
