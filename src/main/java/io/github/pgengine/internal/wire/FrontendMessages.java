package io.github.pgengine.internal.wire;

import io.github.pgengine.internal.codec.ParameterEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Writes the frontend messages of the statement protocol (Parse, Bind, Describe, Execute, Sync, Close, Query)
 * into one buffer per exchange, so an exchange leaves in one write.
 */
final class FrontendMessages {
    private static final byte TEXT = 0;
    private static final byte BINARY = 1;
    private static final int[] NO_TYPES = new int[0];

    private FrontendMessages() {}

    /**
     * An extended-protocol exchange on the unnamed portal: [Close statements] [prefix] [standby check] [Parse] Bind
     * [Describe] Execute Sync.
     *
     * @param alloc the channel's allocator
     * @param prefix statements without parameters or rows to run first, in the same request and before the one Sync
     *     (a transaction's BEGIN); each as Parse, Bind and Execute of the unnamed statement
     * @param check how the {@link StandbyCheck} goes with it, after the prefix
     * @param close prepared statements to close first (evicted from the cache)
     * @param statement the statement's name ("" for the unnamed one)
     * @param parse whether to send Parse (the statement is not prepared yet)
     * @param describe whether to send Describe of the portal (the rows' description is not known yet)
     * @param sql the SQL, with $n placeholders
     * @param params the encoded parameters
     * @return the buffer; the caller writes and thereby releases it
     */
    static ByteBuf extended(
            ByteBufAllocator alloc,
            List<String> prefix,
            StandbyCheck.Send check,
            List<String> close,
            String statement,
            boolean parse,
            boolean describe,
            String sql,
            ParameterEncoder.Encoded params) {
        ByteBuf buf = alloc.buffer(64 + (parse ? sql.length() * 3 : 0) + 16 * params.values().length);
        try {
            for (String name : close) {
                int start = begin(buf, 'C');
                buf.writeByte('S');
                cstring(buf, name);
                end(buf, start);
            }
            prefix(buf, prefix);
            standbyCheck(buf, check);
            if (parse) {
                parse(buf, statement, sql, params.types());
            }
            bind(buf, statement, params);
            if (describe) {
                int start = begin(buf, 'D');
                buf.writeByte('P');
                cstring(buf, "");
                end(buf, start);
            }
            execute(buf);
            sync(buf);
            return buf;
        } catch (RuntimeException e) {
            buf.release();
            throw e;
        }
    }

    /** Writes each statement as Parse, Bind and Execute of the unnamed statement and portal, without a Sync. */
    private static void prefix(ByteBuf buf, List<String> statements) {
        for (String sql : statements) {
            parse(buf, "", sql, NO_TYPES);
            int start = begin(buf, 'B');
            cstring(buf, "");
            cstring(buf, "");
            buf.writeShort(0);
            buf.writeShort(0);
            buf.writeShort(0);
            end(buf, start);
            execute(buf);
        }
    }

    /** Writes the standby check: [Parse of its named statement] Bind and Execute, without a Sync. */
    private static void standbyCheck(ByteBuf buf, StandbyCheck.Send check) {
        if (check == StandbyCheck.Send.NONE) {
            return;
        }
        if (check == StandbyCheck.Send.PARSE_AND_RUN) {
            parse(buf, StandbyCheck.NAME, StandbyCheck.SQL, NO_TYPES);
        }
        int start = begin(buf, 'B');
        cstring(buf, "");
        cstring(buf, StandbyCheck.NAME);
        buf.writeShort(0);
        buf.writeShort(0);
        buf.writeShort(0);
        end(buf, start);
        execute(buf);
    }

    /**
     * The standby check alone: [Parse] Bind Execute Sync.
     *
     * @param alloc the channel's allocator
     * @param check how it goes (not {@link StandbyCheck.Send#NONE})
     * @return the buffer
     */
    static ByteBuf standbyCheck(ByteBufAllocator alloc, StandbyCheck.Send check) {
        ByteBuf buf = alloc.buffer(96);
        standbyCheck(buf, check);
        sync(buf);
        return buf;
    }

    /** Writes Execute of the unnamed portal, all rows. */
    private static void execute(ByteBuf buf) {
        int start = begin(buf, 'E');
        cstring(buf, "");
        buf.writeInt(0);
        end(buf, start);
    }

    private static void parse(ByteBuf buf, String statement, String sql, int[] types) {
        int start = begin(buf, 'P');
        cstring(buf, statement);
        cstring(buf, sql);
        buf.writeShort(types.length);
        for (int t : types) {
            buf.writeInt(t);
        }
        end(buf, start);
    }

    /**
     * Writes Bind of the unnamed portal to a statement: parameters in text, or in binary for {@code byte[]} and the
     * integers {@link ParameterEncoder} left as {@code Short}, {@code Integer} or {@code Long} (declared {@code int2},
     * {@code int4}, {@code int8}); results in text.
     */
    private static void bind(ByteBuf buf, String statement, ParameterEncoder.Encoded params) {
        int start = begin(buf, 'B');
        cstring(buf, "");
        cstring(buf, statement);
        @Nullable Object[] values = params.values();
        int binary = 0;
        int text = 0;
        for (Object v : values) {
            if (v instanceof String) {
                text++;
            } else if (v != null) {
                binary++;
            }
        }
        if (binary == 0) {
            buf.writeShort(0); // all in text
        } else if (text == 0) {
            buf.writeShort(1); // one code for all (a NULL has no format)
            buf.writeShort(BINARY);
        } else {
            buf.writeShort(values.length);
            for (Object v : values) {
                buf.writeShort(v == null || v instanceof String ? TEXT : BINARY);
            }
        }
        buf.writeShort(values.length);
        for (Object v : values) {
            if (v == null) {
                buf.writeInt(-1);
            } else if (v instanceof String s) {
                int lengthAt = buf.writerIndex();
                buf.writeInt(0);
                int written = buf.writeCharSequence(s, StandardCharsets.UTF_8);
                buf.setInt(lengthAt, written);
            } else if (v instanceof Integer i) {
                buf.writeInt(Integer.BYTES);
                buf.writeInt(i);
            } else if (v instanceof Long l) {
                buf.writeInt(Long.BYTES);
                buf.writeLong(l);
            } else if (v instanceof Short h) {
                buf.writeInt(Short.BYTES);
                buf.writeShort(h);
            } else {
                byte[] bytes = (byte[]) v;
                buf.writeInt(bytes.length);
                buf.writeBytes(bytes);
            }
        }
        buf.writeShort(0);
        end(buf, start);
    }

    /**
     * A batch in one exchange: Parse of the unnamed statement (again whenever a step's statement or parameter types
     * differ from the step before), then Bind and Execute per step, one Sync at the end (so the steps run in one
     * implicit transaction, or in the caller's transaction). No Describe: rows a statement returns are sent without
     * a description and skipped.
     *
     * @param alloc the channel's allocator
     * @param prefix statements to run first, as in {@link #extended}
     * @param check how the {@link StandbyCheck} goes with it, after the prefix
     * @param steps the statements with their encoded parameters
     * @return the buffer; the caller writes and thereby releases it
     */
    static ByteBuf batch(ByteBufAllocator alloc, List<String> prefix, StandbyCheck.Send check, List<BatchStep> steps) {
        return written(alloc, 64 + steps.get(0).sql().length() * 3 + 32 * steps.size(), buf -> {
            prefix(buf, prefix);
            standbyCheck(buf, check);
            @Nullable String previousSql = null;
            int @Nullable [] previousTypes = null;
            for (BatchStep step : steps) {
                ParameterEncoder.Encoded row = step.params();
                if (previousTypes == null
                        || !step.sql().equals(previousSql)
                        || !Arrays.equals(previousTypes, row.types())) {
                    parse(buf, "", step.sql(), row.types());
                    previousSql = step.sql();
                    previousTypes = row.types();
                }
                bind(buf, "", row);
                execute(buf);
            }
            sync(buf);
        });
    }

    /**
     * Steps of a batch, each its own exchange: Parse of the unnamed statement, Bind, Execute and Sync per step, so each
     * step runs in an implicit transaction of its own, and a failing one skips only the messages up to its own Sync.
     * Every step parses again: a step whose Parse failed (parameter types its statement cannot take) leaves no unnamed
     * statement for the steps after it.
     *
     * @param alloc the channel's allocator
     * @param steps the statements with their encoded parameters
     * @param from the first step to write
     * @param to the step after the last to write
     * @return the buffer; the caller writes and thereby releases it
     */
    static ByteBuf independent(ByteBufAllocator alloc, List<BatchStep> steps, int from, int to) {
        return written(alloc, 64 + (steps.get(from).sql().length() * 3 + 48) * (to - from), buf -> {
            for (int i = from; i < to; i++) {
                BatchStep step = steps.get(i);
                parse(buf, "", step.sql(), step.params().types());
                bind(buf, "", step.params());
                execute(buf);
                sync(buf);
            }
        });
    }

    /**
     * Writes messages into a new buffer; a failure while writing (a value the protocol cannot carry) releases it.
     * For the batch messages: a statement's own messages are written without the lambda.
     */
    private static ByteBuf written(ByteBufAllocator alloc, int size, Consumer<ByteBuf> writer) {
        ByteBuf buf = alloc.buffer(size);
        try {
            writer.accept(buf);
            return buf;
        } catch (RuntimeException e) {
            buf.release();
            throw e;
        }
    }

    /**
     * A simple-protocol exchange: one Query message.
     *
     * @param alloc the channel's allocator
     * @param sql the statement (the engine's own, built from constants and quoted identifiers)
     * @return the buffer
     */
    static ByteBuf query(ByteBufAllocator alloc, String sql) {
        ByteBuf buf = alloc.buffer(8 + sql.length() * 3);
        int start = begin(buf, 'Q');
        cstring(buf, sql);
        end(buf, start);
        return buf;
    }

    /**
     * A simple-protocol exchange that runs statements ahead of the given one in the same Query (a transaction's
     * BEGIN, the standby check).
     *
     * @param alloc the channel's allocator
     * @param prefix the engine's statements to run first, in order
     * @param check how the standby check follows them ({@link StandbyCheck.Send#NONE} or not)
     * @param sql the statement (the engine's own, built from constants and quoted identifiers)
     * @return the buffer
     */
    static ByteBuf query(ByteBufAllocator alloc, List<String> prefix, StandbyCheck.Send check, String sql) {
        StringBuilder all = new StringBuilder();
        for (String ahead : prefix) {
            all.append(ahead).append("; ");
        }
        if (check != StandbyCheck.Send.NONE) {
            all.append(StandbyCheck.SQL).append("; ");
        }
        return query(alloc, all.append(sql).toString());
    }

    /**
     * Parse of the unnamed statement, Describe of it, Sync: the server reports the parameters it found.
     *
     * @param alloc the channel's allocator
     * @param sql the SQL
     * @return the buffer
     */
    static ByteBuf describe(ByteBufAllocator alloc, String sql) {
        ByteBuf buf = alloc.buffer(32 + sql.length() * 3);
        int start = begin(buf, 'P');
        cstring(buf, "");
        cstring(buf, sql);
        buf.writeShort(0);
        end(buf, start);
        start = begin(buf, 'D');
        buf.writeByte('S');
        cstring(buf, "");
        end(buf, start);
        sync(buf);
        return buf;
    }

    private static void sync(ByteBuf buf) {
        buf.writeByte('S');
        buf.writeInt(4);
    }

    private static int begin(ByteBuf buf, char type) {
        buf.writeByte(type);
        int start = buf.writerIndex();
        buf.writeInt(0);
        return start;
    }

    private static void end(ByteBuf buf, int lengthAt) {
        buf.setInt(lengthAt, buf.writerIndex() - lengthAt);
    }

    private static void cstring(ByteBuf buf, String s) {
        buf.writeCharSequence(s, StandardCharsets.UTF_8);
        buf.writeByte(0);
    }

    /**
     * Builds a CopyFail, the answer to a CopyInResponse: the server ends the COPY with an error.
     *
     * @param message why the COPY failed, for the server's error
     */
    static ByteBuf copyFail(ByteBufAllocator alloc, String message) {
        ByteBuf buf = alloc.buffer();
        buf.writeByte('f');
        int at = buf.writerIndex();
        buf.writeInt(0);
        buf.writeCharSequence(message, StandardCharsets.UTF_8);
        buf.writeByte(0);
        buf.setInt(at, buf.writerIndex() - at);
        return buf;
    }
}
