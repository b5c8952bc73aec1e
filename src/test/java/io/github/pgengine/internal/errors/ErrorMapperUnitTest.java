package io.github.pgengine.internal.errors;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgengine.AmbiguousCommitException;
import io.github.pgengine.BadSqlException;
import io.github.pgengine.ConnectionException;
import io.github.pgengine.EngineException;
import io.github.pgengine.InsufficientPrivilegeException;
import io.github.pgengine.IntegrityViolationException;
import io.github.pgengine.QueryTimeoutException;
import io.github.pgengine.SerializationFailureException;
import io.github.pgengine.ServerDetails;
import io.github.pgengine.TransactionException;
import io.github.pgengine.TransientEngineException;
import io.github.pgengine.internal.wire.ServerError;
import io.github.pgengine.internal.wire.ServerErrorException;
import java.net.ConnectException;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ErrorMapperUnitTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "40001, SerializationFailureException",
        "40P01, TransientEngineException",
        "40003, AmbiguousCommitException",
        "23505, IntegrityViolationException",
        "23503, IntegrityViolationException",
        "42501, InsufficientPrivilegeException",
        "42601, BadSqlException",
        "42P01, BadSqlException",
        "22012, BadSqlException",
        "57014, QueryTimeoutException",
        "57P01, ConnectionException",
        "08006, ConnectionException",
        "28P01, ConnectionException",
        "53300, ConnectionException",
        "25P02, TransactionException",
        "XX000, EngineException",
    })
    void mapsSqlStatesToCategories(String sqlState, String type) {
        EngineException e = ErrorMapper.fromFields(Map.of('C', sqlState, 'V', "ERROR", 'M', "boom"), null);

        assertThat(e.getClass().getSimpleName()).isEqualTo(type);
        assertThat(e.sqlState()).isEqualTo(sqlState);
        assertThat(e.serverMessage()).isEqualTo("boom");
    }

    @ParameterizedTest(name = "{0} while opening a session")
    @CsvSource({"3D000", "28P01", "28000", "53300", "57P03", "42501", "08004"})
    void aSessionTheServerRefusesIsAConnectionException(String sqlState) {
        RuntimeException e = ErrorMapper.map(
                ServerErrorException.refusedSession(
                        new ServerError(Map.of('C', sqlState, 'V', "FATAL", 'M', "no", 'D', "because"))),
                "app@db:5432/app");

        assertThat(e).isInstanceOfSatisfying(ConnectionException.class, c -> {
            assertThat(c.sqlState()).isEqualTo(sqlState);
            assertThat(c.serverMessage()).isEqualTo("no");
            assertThat(c.detail()).isEqualTo("because");
            assertThat(c.getMessage()).isEqualTo("FATAL " + sqlState + ": no (detail: because)");
        });
    }

    @Test
    void buildsItsOwnMessageFromMessageDetailAndHint() {
        EngineException e = ErrorMapper.fromFields(
                Map.of(
                        'C',
                        "23505",
                        'V',
                        "ERROR",
                        'M',
                        "duplicate key",
                        'D',
                        "Key (id)=(1) already exists.",
                        'H',
                        "try another",
                        'n',
                        "t_pkey"),
                null);

        assertThat(e.getMessage())
                .isEqualTo(
                        "ERROR 23505: duplicate key (detail: Key (id)=(1) already exists.) " + "(hint: try another)");
        assertThat(e.constraint()).isEqualTo("t_pkey");
        assertThat(e).isInstanceOf(IntegrityViolationException.class);
        assertThat(ErrorMapper.fromFields(Map.of('C', "40001", 'M', "x"), null))
                .isInstanceOfSatisfying(
                        SerializationFailureException.class,
                        s -> assertThat(s.attempts()).isEqualTo(1));
    }

    @Test
    void keepsEveryFieldTheServerSends() {
        EngineException e = ErrorMapper.fromFields(
                Map.of(
                        'C',
                        "23505",
                        'M',
                        "duplicate key",
                        'D',
                        "Key (id)=(1)",
                        'H',
                        "h",
                        'P',
                        "12",
                        's',
                        "public",
                        't',
                        "band",
                        'c',
                        "id",
                        'n',
                        "band_pkey"),
                null);

        assertThat(e.details())
                .isEqualTo(new ServerDetails(
                        "23505", "duplicate key", "Key (id)=(1)", "h", 12, "public", "band", "id", "band_pkey"));
        assertThat(e.sqlState()).isEqualTo("23505");
        assertThat(e.constraint()).isEqualTo("band_pkey");
        assertThat(new EngineException("mine", null).details()).isEqualTo(ServerDetails.NONE);
    }

    @Test
    void mapsClientSideFailures() {
        assertThat(ErrorMapper.map(new CompletionException(new ConnectException("Connection refused")), "u@h:1/d"))
                .isInstanceOf(ConnectionException.class)
                .hasMessage("cannot connect to u@h:1/d: Connection refused");
        assertThat(ErrorMapper.map(new TimeoutException("x"), "u@h:1/d")).isInstanceOf(QueryTimeoutException.class);
        assertThat(ErrorMapper.map(new IllegalStateException("odd"), "u@h:1/d"))
                .isInstanceOf(EngineException.class)
                .hasMessageContaining("unexpected driver error");
    }

    @Test
    void keepsTheClassHierarchyUsers() {
        assertThat(new InsufficientPrivilegeException("x", null)).isInstanceOf(BadSqlException.class);
        assertThat(new SerializationFailureException("x", ServerDetails.ofSqlState("40001"), 2, null))
                .isInstanceOf(TransientEngineException.class);
        assertThat(new AmbiguousCommitException("x", ServerDetails.ofSqlState("40003"), null))
                .isInstanceOf(EngineException.class);
        assertThat(new TransactionException("x")).isInstanceOf(EngineException.class);
    }
}
