package io.switchboard.server.config;

import static io.switchboard.server.config.Checks.atLeast;
import static io.switchboard.server.config.Checks.positive;

import java.time.Duration;

/**
 * The limits that protect a node from one client, one user or one address taking too much of it: how many
 * channels a connection may hold, how fast it may send commands, how many bad ones it may send, and how many
 * connections a user or an address may open and how fast. Sizes of frames and queues are not here; they stay
 * on {@link ServerConfig}, which checks them against each other.
 *
 * <p>Checked when built: a value out of range throws {@link InvalidConfigException} naming the option. Where
 * a limit says "0 = no limit", 0 turns it off.
 *
 * @param maxChannelsPerConnection     channels one connection may subscribe to ({@code max-channels}), at least 1
 * @param errorBurstLimit              bad commands one connection may send per {@code errorBurstWindow} before
 *                                     it is closed, at least 1
 * @param errorBurstWindow             the window of {@code errorBurstLimit}, longer than 0
 * @param commandsPerSecond            sustained commands per second one connection may send; 0 = no limit
 * @param commandBurst                 commands one connection may send at once before the per-second rate
 *                                     applies, at least 1
 * @param maxConnectionsPerUser        open sessions one user may have; 0 = no limit
 * @param maxConnectionsPerIp          open sessions one remote address may have; 0 = no limit
 * @param newConnectionsPerSecondPerIp sustained WebSocket upgrades per second from one address; 0 = no limit
 * @param newConnectionsBurstPerIp     upgrades one address may make at once before the per-second rate
 *                                     applies, at least 1
 */
public record LimitsConfig(int maxChannelsPerConnection, int errorBurstLimit, Duration errorBurstWindow,
                           int commandsPerSecond, int commandBurst, int maxConnectionsPerUser, int maxConnectionsPerIp,
                           int newConnectionsPerSecondPerIp, int newConnectionsBurstPerIp) {

    /**
     * 128 channels a connection; 50 bad commands in 10 s; 100 commands a second, bursts of 200; 100
     * connections a user, 5000 an address; 100 new connections a second from an address, bursts of 500.
     */
    public static final LimitsConfig DEFAULT = new LimitsConfig(128, 50, Duration.ofSeconds(10), 100, 200, 100, 5000, 100, 500);

    public LimitsConfig {
        atLeast("max-channels", 1, maxChannelsPerConnection);
        atLeast("error-burst-limit", 1, errorBurstLimit);
        positive("error-burst-window", errorBurstWindow);
        atLeast("commands-per-second", 0, commandsPerSecond);
        atLeast("command-burst", 1, commandBurst);
        atLeast("max-connections-per-user", 0, maxConnectionsPerUser);
        atLeast("max-connections-per-ip", 0, maxConnectionsPerIp);
        atLeast("new-connections-per-second-per-ip", 0, newConnectionsPerSecondPerIp);
        atLeast("new-connections-burst-per-ip", 1, newConnectionsBurstPerIp);
    }

    public LimitsConfig withMaxChannelsPerConnection(int n) {
        return new LimitsConfig(n, errorBurstLimit, errorBurstWindow, commandsPerSecond, commandBurst,
                maxConnectionsPerUser, maxConnectionsPerIp, newConnectionsPerSecondPerIp, newConnectionsBurstPerIp);
    }

    public LimitsConfig withErrorBurstLimit(int n) {
        return new LimitsConfig(maxChannelsPerConnection, n, errorBurstWindow, commandsPerSecond, commandBurst,
                maxConnectionsPerUser, maxConnectionsPerIp, newConnectionsPerSecondPerIp, newConnectionsBurstPerIp);
    }

    public LimitsConfig withErrorBurstWindow(Duration window) {
        return new LimitsConfig(maxChannelsPerConnection, errorBurstLimit, window, commandsPerSecond, commandBurst,
                maxConnectionsPerUser, maxConnectionsPerIp, newConnectionsPerSecondPerIp, newConnectionsBurstPerIp);
    }

    public LimitsConfig withCommandsPerSecond(int n) {
        return new LimitsConfig(maxChannelsPerConnection, errorBurstLimit, errorBurstWindow, n, commandBurst,
                maxConnectionsPerUser, maxConnectionsPerIp, newConnectionsPerSecondPerIp, newConnectionsBurstPerIp);
    }

    public LimitsConfig withCommandBurst(int n) {
        return new LimitsConfig(maxChannelsPerConnection, errorBurstLimit, errorBurstWindow, commandsPerSecond, n,
                maxConnectionsPerUser, maxConnectionsPerIp, newConnectionsPerSecondPerIp, newConnectionsBurstPerIp);
    }

    public LimitsConfig withMaxConnectionsPerUser(int n) {
        return new LimitsConfig(maxChannelsPerConnection, errorBurstLimit, errorBurstWindow, commandsPerSecond, commandBurst,
                n, maxConnectionsPerIp, newConnectionsPerSecondPerIp, newConnectionsBurstPerIp);
    }

    public LimitsConfig withMaxConnectionsPerIp(int n) {
        return new LimitsConfig(maxChannelsPerConnection, errorBurstLimit, errorBurstWindow, commandsPerSecond, commandBurst,
                maxConnectionsPerUser, n, newConnectionsPerSecondPerIp, newConnectionsBurstPerIp);
    }

    public LimitsConfig withNewConnectionsPerSecondPerIp(int n) {
        return new LimitsConfig(maxChannelsPerConnection, errorBurstLimit, errorBurstWindow, commandsPerSecond, commandBurst,
                maxConnectionsPerUser, maxConnectionsPerIp, n, newConnectionsBurstPerIp);
    }

    public LimitsConfig withNewConnectionsBurstPerIp(int n) {
        return new LimitsConfig(maxChannelsPerConnection, errorBurstLimit, errorBurstWindow, commandsPerSecond, commandBurst,
                maxConnectionsPerUser, maxConnectionsPerIp, newConnectionsPerSecondPerIp, n);
    }
}
