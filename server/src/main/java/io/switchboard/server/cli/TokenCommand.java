package io.switchboard.server.cli;

import io.switchboard.server.auth.TokenMinter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "token", description = "Mint an HS256 JWT for local testing; prints the token alone.", mixinStandardHelpOptions = true)
final class TokenCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "YAML file of options (its jwt-secret is used).")
    String config;

    @Option(names = "--user", required = true, description = "The user id (the token's sub).")
    String user;

    @Option(names = "--ttl", defaultValue = "1h", converter = DurationConverter.class, description = "How long the token is valid (default: ${DEFAULT-VALUE}).")
    Duration ttl;

    @Option(names = "--jwt-secret", paramLabel = "SECRET", description = "The node's HS256 secret (at least 32 bytes).")
    String jwtSecret;

    @Override
    public Integer call() {
        if (jwtSecret == null || jwtSecret.isEmpty()) {
            System.err.println("switchboard token: --jwt-secret (or SWITCHBOARD_JWT_SECRET, or jwt-secret in --config) is required");
            return 2;
        }
        byte[] secret = jwtSecret.getBytes(StandardCharsets.UTF_8);
        if (secret.length < 32) {
            System.err.println("switchboard token: --jwt-secret must be at least 32 bytes for HS256");
            return 2;
        }
        System.out.println(new TokenMinter(secret).mint(user, ttl));
        return 0;
    }
}
