package io.github.pgengine.internal;

import com.github.jasync.sql.db.Configuration;
import com.github.jasync.sql.db.SSLConfiguration;
import com.github.jasync.sql.db.postgresql.PostgreSQLConnection;
import com.github.jasync.sql.db.postgresql.column.PostgreSQLColumnEncoderRegistry;
import com.github.jasync.sql.db.util.NettyUtils;
import io.github.pgengine.ConnectionException;
import io.github.pgengine.EngineException;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Opens sessions: connects through jasync with the engine's own decoders, then sets the session up in one
 * round trip (time zone UTC, {@code statement_timeout}, {@code application_name}) and learns the backend pid.
 */
public final class ConnectionFactory {
    /** Extra time the client waits beyond the server's statement_timeout before it gives up on the socket. */
    static final Duration CLIENT_GRACE = Duration.ofSeconds(1);
    private static final Executor DIRECT = Runnable::run;
    private static final int MAX_MESSAGE_SIZE = 64 * 1024 * 1024;
    private static final PostgreSQLColumnEncoderRegistry ENCODERS = new PostgreSQLColumnEncoderRegistry();
    private static final ValueDecoders DECODERS = new ValueDecoders(StandardCharsets.UTF_8);

    private final ConnectionSettings settings;
    private final Consumer<DbConnection> onOpen;
    private final Configuration configuration;
    private final String setupSql;

    /**
     * @param settings where and how to connect
     * @param onOpen sees each new connection before it is used (must not throw or block)
     */
    public ConnectionFactory(ConnectionSettings settings, Consumer<DbConnection> onOpen) {
        this.settings = settings;
        this.onOpen = onOpen;
        this.configuration = new Configuration(
                settings.user(),
                settings.host(),
                settings.port(),
                settings.password(),
                settings.database(),
                ssl(settings),
                StandardCharsets.UTF_8,
                MAX_MESSAGE_SIZE,
                PooledByteBufAllocator.DEFAULT,
                (int) Math.min(Integer.MAX_VALUE, settings.connectTimeout().toMillis()),
                null, // the engine's own watchdog bounds each statement (see DbConnection)
                null,
                List.of(),
                NettyUtils.INSTANCE.getDefaultEventLoopGroup(),
                DIRECT,
                settings.searchPath(),
                null,
                null,
                null);
        this.setupSql = "select set_config('TimeZone', 'UTC', false), set_config('statement_timeout', '"
                + settings.statementTimeout().toMillis() + "', false), set_config('application_name', "
                + literal(settings.applicationName()) + ", false), pg_backend_pid()";
    }

    /** Quotes a text value as an SQL literal, whatever standard_conforming_strings says. */
    private static String literal(String value) {
        String quoted = "'" + value.replace("'", "''") + "'";
        return value.indexOf('\\') >= 0 ? "E" + quoted.replace("\\", "\\\\") : quoted;
    }

    /** @return the settings this factory connects with */
    public ConnectionSettings settings() {
        return settings;
    }

    /**
     * Opens and prepares one session. If the returned future is cancelled or already complete when the session
     * is ready, the session is closed, so nothing leaks.
     *
     * @return the session; fails with {@link ConnectionException} (or the server's error mapped)
     */
    public CompletableFuture<DbConnection> open() {
        CompletableFuture<DbConnection> out = new CompletableFuture<>();
        PostgreSQLConnection driver;
        CompletableFuture<PostgreSQLConnection> connected;
        try {
            driver = new PostgreSQLConnection(configuration, ENCODERS, DECODERS);
            connected = driver.connect();
        } catch (RuntimeException e) {
            out.completeExceptionally(connectError(e));
            return out;
        }
        connected.whenComplete((c, e) -> {
            if (e != null) {
                driver.disconnect();
                out.completeExceptionally(connectError(e));
                return;
            }
            CompletableFuture<com.github.jasync.sql.db.QueryResult> setup;
            try {
                setup = driver.sendQuery(setupSql);
            } catch (RuntimeException ex) {
                driver.disconnect();
                out.completeExceptionally(connectError(ex));
                return;
            }
            setup.whenComplete((result, setupError) -> {
                if (setupError != null) {
                    driver.disconnect();
                    out.completeExceptionally(ErrorMapper.map(setupError, settings.describe()));
                    return;
                }
                Object pid = result.getRows().get(0).get(3);
                DbConnection connection = new DbConnection(driver, settings.describe(),
                        pid instanceof Number n ? n.intValue() : 0, settings.queryTimeout().plus(CLIENT_GRACE));
                try {
                    onOpen.accept(connection);
                } catch (RuntimeException ex) {
                    connection.close();
                    out.completeExceptionally(ex);
                    return;
                }
                if (!out.complete(connection)) {
                    connection.close();
                }
            });
        });
        return out;
    }

    private EngineException connectError(Throwable t) {
        Throwable e = ErrorMapper.unwrap(t);
        if (e instanceof TimeoutException) {
            return new ConnectionException("cannot connect to " + settings.describe() + ": no answer within "
                    + settings.connectTimeout().toMillis() + " ms (connect_timeout)", e);
        }
        RuntimeException mapped = ErrorMapper.map(e, settings.describe());
        if (mapped instanceof EngineException ee) {
            return ee;
        }
        return new ConnectionException("cannot connect to " + settings.describe() + ": " + e, e);
    }

    private static SSLConfiguration ssl(ConnectionSettings s) {
        SSLConfiguration.Mode mode = switch (s.sslMode()) {
            case DISABLE -> SSLConfiguration.Mode.Disable;
            case PREFER -> SSLConfiguration.Mode.Prefer;
            case REQUIRE -> SSLConfiguration.Mode.Require;
            case VERIFY_CA -> SSLConfiguration.Mode.VerifyCA;
            case VERIFY_FULL -> SSLConfiguration.Mode.VerifyFull;
        };
        return new SSLConfiguration(mode, file(s.sslRootCert()), file(s.sslCert()), file(s.sslKey()));
    }

    private static @Nullable File file(@Nullable String path) {
        return path == null ? null : new File(path);
    }
}
