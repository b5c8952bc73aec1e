package io.github.pgengine.internal.wire;

import io.github.pgengine.internal.runtime.EngineThreads;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the server to stop a running statement with a CancelRequest on a separate connection (what libpq and
 * pgjdbc do; jasync never does). The returned future completes once the server has read the request and closed
 * the cancel connection, i.e. once the backend has been signalled; the caller must not send the connection's
 * next statement before that, so a late cancel can never hit it (a cancel that reaches an idle backend is
 * ignored by PostgreSQL).
 */
public final class ServerCanceller {
    private static final Logger LOG = LoggerFactory.getLogger(ServerCanceller.class);
    private static final int CANCEL_REQUEST_CODE = 80877102;
    private static final int TIMEOUT_MILLIS = 5_000;
    private static final ExecutorService SENDER = sender();

    private final String host;
    private final int port;

    /**
     * @param host the server's host
     * @param port the server's port
     */
    public ServerCanceller(String host, int port) {
        this.host = host;
        this.port = port;
    }

    /**
     * Cancels the statement the connection runs now, if any; never blocks the caller.
     *
     * @param connection the connection
     * @return completes when the server has the request (or at once when there is nothing to cancel); never fails
     */
    public CompletableFuture<@Nullable Void> cancel(DbConnection connection) {
        BackendKey key = connection.backendKey();
        if (!connection.isBusy() || key == null) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<@Nullable Void> sent = new CompletableFuture<>();
        try {
            SENDER.execute(() -> {
                if (!send(key, connection)) {
                    // the request may have been half-delivered: do not reuse the connection
                    connection.retire();
                }
                sent.complete(null);
            });
        } catch (RuntimeException e) {
            connection.retire();
            sent.complete(null);
        }
        return sent;
    }

    private boolean send(BackendKey key, DbConnection connection) {
        try (Socket socket = new Socket()) {
            // the server the connection is on (with several hosts, not necessarily the first)
            java.net.SocketAddress peer = connection.remoteAddress();
            socket.connect(peer != null ? peer : new InetSocketAddress(host, port), TIMEOUT_MILLIS);
            socket.setSoTimeout(TIMEOUT_MILLIS);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeInt(16);
            out.writeInt(CANCEL_REQUEST_CODE);
            out.writeInt(key.processId());
            out.writeInt(key.secret());
            out.flush();
            // the server closes the socket without an answer once it has read the request
            socket.getInputStream().read();
            LOG.debug("sent a cancel request for {}", connection);
            return true;
        } catch (IOException e) {
            LOG.debug("cannot send a cancel request for {}: {}", connection, e.toString());
            return false;
        }
    }

    private static ExecutorService sender() {
        // one thread at a time (the queue is unbounded), gone after 30 s without work
        return new ThreadPoolExecutor(
                0, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), EngineThreads.factory("pgengine-cancel-"));
    }
}
