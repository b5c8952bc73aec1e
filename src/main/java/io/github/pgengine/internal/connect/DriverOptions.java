package io.github.pgengine.internal.connect;

import com.github.jasync.sql.db.Configuration;
import com.github.jasync.sql.db.SSLConfiguration;
import com.github.jasync.sql.db.util.NettyUtils;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioChannelOption;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import jdk.net.ExtendedSocketOptions;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The settings in the driver's and the socket's terms: jasync's {@link Configuration} for one host (TLS mode and
 * files, connect timer, search path) and TCP keepalive on a channel.
 */
final class DriverOptions {
    private static final Logger LOG = LoggerFactory.getLogger(DriverOptions.class);
    private static final Executor DIRECT = Runnable::run;
    /** Where connections register: the driver's shared loops, one per core, balanced by open connections. */
    private static final EventLoopGroup LOOPS = BalancedLoops.over(NettyUtils.INSTANCE.getDefaultEventLoopGroup());
    /**
     * How much later than pgengine's own deadline jasync's connect timer fires. Its timer ends the attempt with
     * {@code disconnect()}, which writes a Terminate message, also right after the SSLRequest of a socket the server
     * has not answered yet (it then refuses the bytes: "received unencrypted data after SSL request"); pgengine's
     * deadline closes the socket without writing, and jasync's timer then finds it closed.
     */
    static final Duration DRIVER_TIMER_MARGIN = Duration.ofSeconds(5);

    private DriverOptions() {}

    static Configuration configuration(ConnectionSettings settings, Hosts.Endpoint endpoint) {
        return new Configuration(
                settings.user(),
                endpoint.host(),
                endpoint.port(),
                settings.passwordFor(endpoint.host(), endpoint.port()),
                settings.database(),
                ssl(settings),
                StandardCharsets.UTF_8,
                // only start-up messages pass through jasync's decoder
                16 * 1024 * 1024,
                PooledByteBufAllocator.DEFAULT,
                (int) Math.min(
                        Integer.MAX_VALUE,
                        settings.connectTimeout().plus(DRIVER_TIMER_MARGIN).toMillis()),
                null,
                null,
                List.of(),
                LOOPS,
                DIRECT,
                settings.searchPath(),
                null,
                null,
                null);
    }

    /** Turns on TCP keepalive with the configured probe timing, so a dead peer is noticed within a bounded time. */
    static void keepalive(Channel channel, ConnectionSettings settings) {
        if (!settings.keepalives()) {
            channel.config().setOption(ChannelOption.SO_KEEPALIVE, false);
            return;
        }
        try {
            channel.config().setOption(ChannelOption.SO_KEEPALIVE, true);
            channel.config().setOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPIDLE), (int)
                    Math.max(1, settings.keepalivesIdle().toSeconds()));
            channel.config().setOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPINTERVAL), (int)
                    Math.max(1, settings.keepalivesInterval().toSeconds()));
            channel.config()
                    .setOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPCOUNT), settings.keepalivesCount());
        } catch (RuntimeException | LinkageError e) {
            LOG.debug("cannot set TCP keepalive timing on {}: {}", channel, e.toString());
        }
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
