package io.switchboard.server.config;

import java.time.Duration;
import java.util.List;

/**
 * The range checks of {@link ServerConfig}'s setters and of its option groups; each returns its value or throws
 * {@link InvalidConfigException}.
 */
final class Checks {

    private Checks() {
    }

    static int atLeast(String key, int min, int value) {
        if (value < min) {
            throw new InvalidConfigException(key, "must be at least " + min);
        }
        return value;
    }

    static int portNumber(String key, int min, int value) {
        if (value < min || value > 65535) {
            throw new InvalidConfigException(key, min < 0 ? "must be -1 or a port number (0 to 65535)" : "is not a port number (0 to 65535)");
        }
        return value;
    }

    static Duration positive(String key, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new InvalidConfigException(key, "must be longer than 0");
        }
        return d;
    }

    static Duration notNegative(String key, Duration d) {
        if (d == null || d.isNegative()) {
            throw new InvalidConfigException(key, "must not be negative");
        }
        return d;
    }

    static String notBlank(String key, String s) {
        if (s == null || s.isBlank()) {
            throw new InvalidConfigException(key, "must not be empty");
        }
        return s;
    }

    static String orNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    static List<String> list(List<String> values) {
        return values == null ? List.of() : values.stream().map(String::trim).filter(v -> !v.isEmpty()).toList();
    }

}
