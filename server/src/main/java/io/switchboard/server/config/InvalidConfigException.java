package io.switchboard.server.config;

/**
 * A setting that cannot be used. Names the option it concerns by its command-line name without dashes
 * ({@code max-channels}), so that the command line can say where the value came from (a flag, an
 * environment variable or a YAML key), and says what is wrong as a predicate that reads after the name
 * and value: {@code "must be at least 1"}, {@code "needs --engine redis"}.
 */
public final class InvalidConfigException extends IllegalArgumentException {

    private final String key;
    private final String reason;

    public InvalidConfigException(String key, String reason) {
        super(key + " " + reason);
        this.key = key;
        this.reason = reason;
    }

    /** The option, e.g. {@code port}. */
    public String key() {
        return key;
    }

    /** What is wrong, e.g. {@code is not a port number (0 to 65535)}. */
    public String reason() {
        return reason;
    }
}
