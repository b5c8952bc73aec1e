package io.github.pgengine.internal.wire;

import static io.github.pgengine.internal.runtime.Completions.whenDone;

import io.github.pgengine.internal.codec.ParameterEncoder;
import io.github.pgengine.internal.runtime.Completions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cancels the statement a connection runs while later requests wait behind it, already sent (the rows of a batch that
 * commit one by one), so that the cancel hits that statement and no later one.
 *
 * <p>PostgreSQL up to 17 answers a CancelRequest by signalling the backend twice: the process, then its process
 * group, which is the same process. Both signals usually arrive together and count as one; but when the second comes
 * late (the server's machine is busy), the backend has moved on and it cancels whatever runs next: a row the caller
 * never meant to cancel. {@code pg_cancel_backend()} signals once. So on PostgreSQL 14 to 17 the cancel is that
 * function, run on a short session of its own on the same server, naming the backend by its process id and by this
 * side's port ({@code client_port}): no other session can be hit, even behind a proxy that shares one address among
 * servers. PostgreSQL 18 and later (one signal) and CockroachDB (no signals) get the CancelRequest, and so does a
 * connection when the function's way fails (no session could be opened, the server did not find the backend).
 */
public final class PipelineCanceller {
    private static final Logger LOG = LoggerFactory.getLogger(PipelineCanceller.class);
    private static final String CANCEL_SQL =
            "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE pid = $1 AND client_port = $2";
    /** The first PostgreSQL major version whose CancelRequest signals the backend once. */
    private static final int SIGNALS_ONCE_FROM = 18;

    private final ServerCanceller requests;
    private final Function<DbConnection, CompletableFuture<DbConnection>> openBeside;

    /**
     * @param requests sends CancelRequests
     * @param openBeside opens a session on the server a connection is on
     */
    public PipelineCanceller(
            ServerCanceller requests, Function<DbConnection, CompletableFuture<DbConnection>> openBeside) {
        this.requests = requests;
        this.openBeside = openBeside;
    }

    /**
     * Cancels the statement the connection runs now, if any, with one signal; never blocks the caller.
     *
     * @param connection the connection
     * @return completes when the backend has been signalled (or at once when there is nothing to cancel); never fails
     */
    public CompletableFuture<@Nullable Void> cancel(DbConnection connection) {
        if (!connection.isBusy()) {
            return CompletableFuture.completedFuture(null);
        }
        int port = connection.localPort();
        if (!signalsTwice(connection.parameterStatuses()) || connection.backendPid() == 0 || port == 0) {
            return requests.cancel(connection);
        }
        CompletableFuture<@Nullable Void> done = new CompletableFuture<>();
        CompletableFuture<DbConnection> opening = Completions.calling(() -> openBeside.apply(connection));
        whenDone(opening, (session, openError) -> {
            if (openError != null) {
                LOG.debug("cannot open a session to cancel the statement of {}: {}", connection, openError.toString());
                whenDone(requests.cancel(connection), (v, e) -> done.complete(null));
                return;
            }
            CompletableFuture<Result> signalled;
            try {
                signalled =
                        session.execute(CANCEL_SQL, ParameterEncoder.encode(List.of(connection.backendPid(), port)));
            } catch (RuntimeException e) {
                signalled = CompletableFuture.failedFuture(e);
            }
            whenDone(signalled, (r, error) -> {
                session.close();
                if (error == null
                        && r.rows().size() == 1
                        && Boolean.TRUE.equals(r.rows().get(0)[0])) {
                    LOG.debug("signalled the backend of {} once to cancel its statement", connection);
                    done.complete(null);
                } else {
                    LOG.debug(
                            "pg_cancel_backend did not signal the backend of {} ({}); sending a CancelRequest",
                            connection,
                            error != null ? error.toString() : "no such session");
                    whenDone(requests.cancel(connection), (v, e) -> done.complete(null));
                }
            });
        });
        return done;
    }

    /** Whether the server answers a CancelRequest with two signals: PostgreSQL before 18 (not CockroachDB). */
    static boolean signalsTwice(Map<String, String> parameters) {
        if (parameters.containsKey("crdb_version")) {
            return false;
        }
        String version = parameters.get("server_version");
        if (version == null) {
            return false;
        }
        int end = 0;
        while (end < version.length() && Character.isDigit(version.charAt(end))) {
            end++;
        }
        try {
            return end > 0 && Integer.parseInt(version.substring(0, end)) < SIGNALS_ONCE_FROM;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
