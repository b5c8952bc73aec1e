package io.github.pgengine.internal.connect;

import com.github.jasync.sql.db.postgresql.codec.PostgreSQLConnectionDelegate;
import com.github.jasync.sql.db.postgresql.messages.backend.AuthenticationMessage;
import com.github.jasync.sql.db.postgresql.messages.backend.CommandCompleteMessage;
import com.github.jasync.sql.db.postgresql.messages.backend.DataRowMessage;
import com.github.jasync.sql.db.postgresql.messages.backend.ErrorMessage;
import com.github.jasync.sql.db.postgresql.messages.backend.NotificationResponse;
import com.github.jasync.sql.db.postgresql.messages.backend.ParameterStatusMessage;
import com.github.jasync.sql.db.postgresql.messages.backend.RowDescriptionMessage;
import io.github.pgengine.internal.wire.ServerError;
import io.github.pgengine.internal.wire.ServerErrorException;
import java.util.function.Consumer;

/**
 * Stands between jasync's protocol handler and its connection while a session opens: every message goes on to the
 * connection except errors, which go to the opening attempt instead. Those are the server's refusal (a wrong
 * password, a missing database, too many clients: a {@link ServerErrorException#refusedSession}) and failures of
 * the socket, TLS or authentication. jasync's connection would log each of them at ERROR twice, once with a stack
 * trace, and then write a Terminate; the attempt hands the error to its caller and closes the socket, writing nothing.
 *
 * <p>Once pgengine's {@link ProtocolHandler} has taken the channel over, jasync's handler hears nothing more.
 */
final class StartupDelegate implements PostgreSQLConnectionDelegate {
    private final PostgreSQLConnectionDelegate connection;
    private final Consumer<Throwable> failed;

    /**
     * @param connection jasync's connection, which gets every other message
     * @param failed ends the opening attempt (called on the channel's event loop)
     */
    StartupDelegate(PostgreSQLConnectionDelegate connection, Consumer<Throwable> failed) {
        this.connection = connection;
        this.failed = failed;
    }

    @Override
    public void onError(ErrorMessage message) {
        failed.accept(ServerErrorException.refusedSession(new ServerError(message.getFields())));
    }

    @Override
    public void onError(Throwable error) {
        failed.accept(error);
    }

    @Override
    public void onAuthenticationResponse(AuthenticationMessage message) {
        connection.onAuthenticationResponse(message);
    }

    @Override
    public void onCommandComplete(CommandCompleteMessage message) {
        connection.onCommandComplete(message);
    }

    @Override
    public void onCloseComplete() {
        connection.onCloseComplete();
    }

    @Override
    public void onDataRow(DataRowMessage message) {
        connection.onDataRow(message);
    }

    @Override
    public void onParameterStatus(ParameterStatusMessage message) {
        connection.onParameterStatus(message);
    }

    @Override
    public void onReadyForQuery() {
        connection.onReadyForQuery();
    }

    @Override
    public void onRowDescription(RowDescriptionMessage message) {
        connection.onRowDescription(message);
    }

    @Override
    public void onNotificationResponse(NotificationResponse message) {
        connection.onNotificationResponse(message);
    }
}
