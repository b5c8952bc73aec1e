package io.github.pgengine.internal.observe;

import io.github.pgengine.internal.errors.ErrorMapper;
import io.github.pgengine.internal.wire.Result;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Query and response logging with a running query id per engine.
 *
 * <p>Loggers: {@code io.github.pgengine.query} (statements, at INFO when the engine logs queries),
 * {@code io.github.pgengine.query.params} (parameter values, DEBUG only) and {@code io.github.pgengine.response}
 * (rows, row count and duration, at INFO when the engine logs responses).
 */
public final class QueryLog {
    private static final Logger QUERIES = LoggerFactory.getLogger("io.github.pgengine.query");
    private static final Logger PARAMS = LoggerFactory.getLogger("io.github.pgengine.query.params");
    private static final Logger RESPONSES = LoggerFactory.getLogger("io.github.pgengine.response");
    private static final int MAX_ROWS_SHOWN = 20;
    private static final int MAX_TEXT = 2_000;

    private final String engine;
    private final boolean logQueries;
    private final boolean logResponses;
    private final AtomicLong ids = new AtomicLong();

    /**
     * @param engine the engine's name, shown in each line
     * @param logQueries log each statement before it runs
     * @param logResponses log each response with its duration
     */
    public QueryLog(String engine, boolean logQueries, boolean logResponses) {
        this.engine = engine;
        this.logQueries = logQueries;
        this.logResponses = logResponses;
    }

    /**
     * Logs a statement about to run.
     *
     * @param sql the statement
     * @param values its parameter values (logged only at DEBUG on {@code io.github.pgengine.query.params})
     * @return the query id, or 0 when neither queries nor responses are logged
     */
    public long before(String sql, List<@Nullable Object> values) {
        return before(sql, values, "");
    }

    /**
     * Logs a statement about to run, with a note after its (possibly shortened) text.
     *
     * @param sql the statement
     * @param values its parameter values (logged only at DEBUG on {@code io.github.pgengine.query.params})
     * @param note shown after the statement in full, e.g. how a batch's rows were sent
     * @return the query id, or 0 when neither queries nor responses are logged
     */
    public long before(String sql, List<@Nullable Object> values, String note) {
        if (!logQueries && !logResponses) {
            return 0;
        }
        long id = ids.incrementAndGet();
        if (logQueries && QUERIES.isInfoEnabled()) {
            int n = values.size();
            QUERIES.info(
                    "{} query #{}: {}{}{}",
                    engine,
                    id,
                    shorten(sql),
                    note,
                    n == 0 ? "" : " (" + n + " parameter" + (n == 1 ? ")" : "s)"));
            if (n > 0 && PARAMS.isDebugEnabled()) {
                PARAMS.debug("{} query #{} parameters: {}", engine, id, values);
            }
        }
        return id;
    }

    /**
     * Logs a response.
     *
     * @param id the query id from {@link #before}
     * @param startNanos {@code System.nanoTime()} when the statement was sent
     * @param result the result, or {@code null} when it failed
     * @param error the error, or {@code null}
     */
    public void after(long id, long startNanos, @Nullable Result result, @Nullable Throwable error) {
        if (!logResponses || id == 0 || !RESPONSES.isInfoEnabled()) {
            return;
        }
        String millis = String.format("%.3f", (System.nanoTime() - startNanos) / 1e6);
        if (error != null) {
            RESPONSES.info(
                    "{} query #{} failed after {} ms: {}",
                    engine,
                    id,
                    millis,
                    ErrorMapper.unwrap(error).getMessage());
        } else if (result != null) {
            RESPONSES.info("{} query #{} returned {} in {} ms: {}", engine, id, summary(result), millis, rows(result));
        }
    }

    private static String summary(Result result) {
        int rows = result.rows().size();
        return rows > 0 ? rows + (rows == 1 ? " row" : " rows") : result.tag();
    }

    private static String rows(Result result) {
        List<@Nullable Object[]> rs = result.rows();
        if (rs.isEmpty()) {
            return "[]";
        }
        String[] names = result.columnNames();
        StringBuilder sb = new StringBuilder("[");
        int shown = 0;
        for (Object[] row : rs) {
            if (shown > 0) {
                sb.append(", ");
            }
            if (shown++ == MAX_ROWS_SHOWN || sb.length() > MAX_TEXT) {
                sb.append("... ").append(rs.size() - shown + 1).append(" more");
                break;
            }
            sb.append('{');
            for (int i = 0; i < names.length; i++) {
                if (i > 0) {
                    sb.append(", ");
                }
                Object v = row[i];
                sb.append(names[i]).append('=').append(v instanceof byte[] b ? "<" + b.length + " bytes>" : v);
            }
            sb.append('}');
        }
        return sb.append(']').toString();
    }

    private static String shorten(String sql) {
        return sql.length() <= MAX_TEXT ? sql : sql.substring(0, MAX_TEXT) + "... (" + sql.length() + " characters)";
    }
}
