package io.switchboard.server.cli;

import io.switchboard.server.Version;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;

@Command(name = "switchboard",
        description = "A real-time messaging server: WebSocket pub/sub with presence, history and recovery.",
        mixinStandardHelpOptions = true,
        versionProvider = SwitchboardCommand.VersionProvider.class)
public final class SwitchboardCommand {

    static final class VersionProvider implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"switchboard " + Version.get()};
        }
    }
}
