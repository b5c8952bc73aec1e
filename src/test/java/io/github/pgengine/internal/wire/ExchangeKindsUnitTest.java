package io.github.pgengine.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * Each kind of exchange names where its error happened as the caller knows the request: a batch by its rows, a step
 * of a batch by its place in the whole batch, and statements sent ahead of the request's own by their text.
 */
class ExchangeKindsUnitTest {
    private static final ServerError DUPLICATE =
            new ServerError(Map.of('S', "ERROR", 'V', "ERROR", 'C', "23505", 'M', "duplicate key"));

    private final AtomicReference<@Nullable Throwable> failure = new AtomicReference<>();
    private final AtomicReference<@Nullable Result> success = new AtomicReference<>();

    private <E extends Exchange> E watched(E exchange) {
        exchange.onCompletion((r, e) -> {
            success.set(r);
            failure.set(e);
        });
        return exchange;
    }

    private static ByteBuf tag(String tag) {
        ByteBuf body = Unpooled.buffer();
        body.writeCharSequence(tag, StandardCharsets.UTF_8);
        body.writeByte(0);
        return body;
    }

    private ServerErrorException serverError() {
        assertThat(failure.get()).isInstanceOf(ServerErrorException.class);
        return (ServerErrorException) failure.get();
    }

    @Test
    void aBatchNamesTheRowsOfTheStatementThatFailed() {
        Exchange batch = watched(new BatchExchange(Unpooled.buffer(), new int[] {1, 3, 1}, null));
        batch.commandComplete(tag("INSERT 0 1"));
        batch.error(DUPLICATE);
        batch.finish('I');

        assertThat(serverError().context()).isEqualTo("rows 2 to 4 of 5 of the batch, sent as one multi-row INSERT");
        assertThat(serverError().sentAhead()).isFalse();
    }

    @Test
    void aBatchCountsEachRowAndSaysWhenAMultiRowStatementDidLess() {
        Exchange batch = watched(new BatchExchange(Unpooled.buffer(), new int[] {1, 3}, null));
        batch.commandComplete(tag("UPDATE 0"));
        batch.commandComplete(tag("INSERT 0 2"));
        batch.finish('I');

        assertThat(success.get()).isNotNull();
        assertThat(success.get().counts())
                .containsExactly(0, Result.SUCCESS_NO_INFO, Result.SUCCESS_NO_INFO, Result.SUCCESS_NO_INFO);
    }

    @Test
    void aBatchFailingAtItsCommitSaysSo() {
        Exchange batch = watched(new BatchExchange(Unpooled.buffer(), new int[] {1, 1}, null));
        batch.commandComplete(tag("INSERT 0 1"));
        batch.commandComplete(tag("INSERT 0 1"));
        batch.error(DUPLICATE);
        batch.finish('I');

        assertThat(serverError().context()).isEqualTo("the end of the batch of 2 rows");
    }

    @Test
    void aStepNamesItsRowsByTheirPlaceInTheWholeBatchAndItsOwnCommit() {
        Exchange step = watched(new BatchStepExchange(Unpooled.buffer(), 1, 6, 10));
        step.commandComplete(tag("INSERT 0 1"));
        step.error(DUPLICATE);
        step.finish('I');

        assertThat(serverError().context()).isEqualTo("row 7 of 10 of the batch, at its commit");
    }

    @Test
    void anErrorInAStatementSentAheadNamesItAndNotTheCallersStatement() {
        Exchange exchange = watched(new StatementExchange(
                Unpooled.buffer(),
                true,
                SentAhead.of(List.of("BEGIN ISOLATION LEVEL SERIALIZABLE"), true, StandbyCheck.Send.NONE)));
        exchange.parseComplete();
        exchange.error(DUPLICATE);
        exchange.finish('I');

        assertThat(serverError().sentAhead()).isTrue();
        assertThat(serverError().context())
                .isEqualTo("BEGIN ISOLATION LEVEL SERIALIZABLE, sent ahead of the statement");
        assertThat(exchange.standbyCheckFailed()).isFalse();
    }

    @Test
    void theAnswersOfStatementsSentAheadAreSkipped() {
        StatementExchange exchange = watched(new StatementExchange(
                Unpooled.buffer(), true, SentAhead.of(List.of("BEGIN"), true, StandbyCheck.Send.PARSE_AND_RUN)));
        exchange.parseComplete();
        exchange.commandComplete(tag("BEGIN"));
        exchange.parseComplete();
        exchange.commandComplete(tag("SELECT 0"));
        assertThat(exchange.parseCompleted()).isFalse();
        assertThat(exchange.sentAheadParsed()).isTrue();

        exchange.parseComplete();
        exchange.commandComplete(tag("INSERT 0 1"));
        exchange.finish('T');

        assertThat(exchange.parseCompleted()).isTrue();
        assertThat(success.get()).isNotNull();
        assertThat(success.get().tag()).isEqualTo("INSERT 0 1");
    }

    @Test
    void aFailedStandbyCheckIsToldApart() {
        Exchange exchange = watched(new StatementExchange(
                Unpooled.buffer(), true, SentAhead.of(List.of("BEGIN"), true, StandbyCheck.Send.RUN)));
        exchange.commandComplete(tag("BEGIN"));
        exchange.error(DUPLICATE);
        exchange.finish('E');

        assertThat(exchange.standbyCheckFailed()).isTrue();
        assertThat(serverError().context()).isEqualTo("the standby check, sent ahead of the statement");
    }
}
