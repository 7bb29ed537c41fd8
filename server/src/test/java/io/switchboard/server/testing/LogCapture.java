package io.switchboard.server.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * Records every log event of the JVM (at the root logger) while it is open, with the given classes'
 * loggers turned up to DEBUG; puts the levels back when closed.
 */
public final class LogCapture implements AutoCloseable {

    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Map<Logger, Level> levels = new HashMap<>();

    public LogCapture(Class<?>... debug) {
        for (Class<?> c : debug) {
            Logger l = (Logger) LoggerFactory.getLogger(c);
            levels.put(l, l.getLevel());
            l.setLevel(Level.DEBUG);
        }
        appender.start();
        root.addAppender(appender);
    }

    /** Everything logged so far (a copy). */
    public List<ILoggingEvent> events() {
        synchronized (appender) {
            return List.copyOf(appender.list);
        }
    }

    /** Events at WARN or above, and events that carry a stack trace. */
    public List<String> problems() {
        return events().stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN) || e.getThrowableProxy() != null)
                .map(e -> e.getLevel() + " " + e.getLoggerName() + ": " + e.getFormattedMessage()
                        + (e.getThrowableProxy() == null ? "" : " [" + e.getThrowableProxy().getClassName() + "]"))
                .toList();
    }

    /** The value of the {@code session} key of an event, or null. */
    public static String session(ILoggingEvent e) {
        return e.getKeyValuePairs() == null ? null : e.getKeyValuePairs().stream().filter(kv -> kv.key.equals("session"))
                .map(kv -> String.valueOf(kv.value)).findFirst().orElse(null);
    }

    public void clear() {
        synchronized (appender) {
            appender.list.clear();
        }
    }

    @Override
    public void close() {
        root.detachAppender(appender);
        levels.forEach(Logger::setLevel);
    }
}
