package io.switchboard.server.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import org.slf4j.LoggerFactory;

/** Switches the node's log output between the text pattern of logback.xml and one JSON object per line. */
final class LogFormat {

    /** The format when --log-format is not given. */
    static final String DEFAULT = "text";

    private LogFormat() {
    }

    /**
     * Gives the console appender Logback's JSON encoder: every line becomes an object with the level,
     * logger, message and key-value pairs (the session id of connection events is the pair {@code session}).
     */
    static Encoder<ILoggingEvent> useJson() {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
            return null;
        }
        Appender<ILoggingEvent> a = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("STDERR");
        if (a instanceof OutputStreamAppender<ILoggingEvent> out) {
            Encoder<ILoggingEvent> previous = out.getEncoder();
            JsonEncoder json = new JsonEncoder();
            json.setContext(ctx);
            json.setWithArguments(false);
            json.setWithFormattedMessage(true);
            json.setWithMessage(false);
            json.setWithSequenceNumber(false);
            json.setWithNanoseconds(false);
            json.setWithContext(false);
            json.start();
            use(out, json);
            return previous;
        }
        return null;
    }

    /** Puts back an encoder {@link #useJson} returned (tests). */
    static void restore(Encoder<ILoggingEvent> encoder) {
        if (encoder != null && LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx
                && ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("STDERR") instanceof OutputStreamAppender<ILoggingEvent> out) {
            use(out, encoder);
        }
    }

    private static void use(OutputStreamAppender<ILoggingEvent> out, Encoder<ILoggingEvent> encoder) {
        out.stop();
        out.setEncoder(encoder);
        out.start();
    }
}
