package io.github.pgengine.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Records what one logger (and its children) logs while open; for asserting log lines in tests. */
public final class LogCapture implements AutoCloseable {
    private final Logger logger;
    private final Level previous;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    private LogCapture(String name, Level level) {
        this.logger = (Logger) LoggerFactory.getLogger(name);
        this.previous = logger.getLevel();
        logger.setLevel(level);
        appender.start();
        logger.addAppender(appender);
    }

    /**
     * Starts recording.
     *
     * @param name the logger name, e.g. {@code io.github.pgengine}
     * @param level the lowest level to record
     * @return the capture; close it to stop
     */
    public static LogCapture of(String name, Level level) {
        return new LogCapture(name, level);
    }

    /** Returns the formatted messages recorded so far. */
    public List<String> messages() {
        synchronized (appender) { // AppenderBase.doAppend holds the same lock
            return appender.list.stream()
                    .map(ILoggingEvent::getFormattedMessage)
                    .toList();
        }
    }

    /** Returns "LEVEL logger: message" for each event recorded so far. */
    public List<String> lines() {
        synchronized (appender) { // AppenderBase.doAppend holds the same lock
            return appender.list.stream()
                    .map(e -> e.getLevel() + " " + e.getLoggerName() + ": " + e.getFormattedMessage())
                    .toList();
        }
    }

    /** Returns "LEVEL logger: message" for each event recorded so far that carries an exception (a stack trace). */
    public List<String> stackTraces() {
        synchronized (appender) { // AppenderBase.doAppend holds the same lock
            return appender.list.stream()
                    .filter(e -> e.getThrowableProxy() != null)
                    .map(e -> e.getLevel() + " " + e.getLoggerName() + ": " + e.getFormattedMessage())
                    .toList();
        }
    }

    /** Returns the events recorded at WARN. */
    public List<String> warnings() {
        synchronized (appender) { // AppenderBase.doAppend holds the same lock
            return appender.list.stream()
                    .filter(e -> e.getLevel() == Level.WARN)
                    .map(ILoggingEvent::getFormattedMessage)
                    .toList();
        }
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        logger.setLevel(previous);
    }
}
