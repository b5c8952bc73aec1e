package io.github.pgengine.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pgengine.internal.codec.ParameterEncoder;
import io.github.pgengine.internal.codec.PgTypes;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The bytes of the Bind message, without a database: integers declared {@code int2}, {@code int4} and {@code int8}
 * go in binary with exactly their type's width, everything else keeps its format, and the format codes are as short
 * as the protocol allows (none when all are text, one when all are binary). What the server makes of these bytes is
 * checked against PostgreSQL by {@code BinaryIntegerParametersTest} and {@code ValueDifferentialTest}.
 */
class BindMessageUnitTest {
    private static final HexFormat HEX = HexFormat.of();

    /** A Bind message taken apart: format codes, and each value as hex (null for NULL). */
    private record Bind(List<Integer> formats, List<@Nullable String> values) {}

    private static Bind bind(ParameterEncoder.Encoded encoded) {
        ByteBuf buf = FrontendMessages.extended(
                UnpooledByteBufAllocator.DEFAULT,
                List.of(),
                StandbyCheck.Send.NONE,
                List.of(),
                "pge_1",
                false,
                false,
                "SELECT",
                encoded);
        try {
            assertThat((char) buf.readByte()).isEqualTo('B');
            int end = buf.readerIndex() + buf.readInt();
            assertThat(cstring(buf)).isEmpty();
            assertThat(cstring(buf)).isEqualTo("pge_1");
            List<Integer> formats = new ArrayList<>();
            for (int n = buf.readShort(); n > 0; n--) {
                formats.add((int) buf.readShort());
            }
            List<@Nullable String> values = new ArrayList<>();
            for (int n = buf.readShort(); n > 0; n--) {
                int length = buf.readInt();
                if (length < 0) {
                    values.add(null);
                } else {
                    values.add(ByteBufUtil.hexDump(buf, buf.readerIndex(), length));
                    buf.skipBytes(length);
                }
            }
            assertThat((int) buf.readShort()).as("result format codes").isZero();
            assertThat(buf.readerIndex()).as("end of Bind").isEqualTo(end);
            return new Bind(formats, values);
        } finally {
            buf.release();
        }
    }

    private static String cstring(ByteBuf buf) {
        int length = buf.bytesBefore((byte) 0);
        String s = buf.readCharSequence(length, StandardCharsets.UTF_8).toString();
        buf.skipBytes(1);
        return s;
    }

    private static String text(String s) {
        return HEX.formatHex(s.getBytes(StandardCharsets.UTF_8));
    }

    private static ParameterEncoder.Encoded encode(@Nullable Object... values) {
        return ParameterEncoder.encode(Arrays.asList(values));
    }

    @Test
    void integersGoInBinaryWithTheirTypesWidthAndTheRestKeepTheirFormat() {
        ParameterEncoder.Encoded encoded =
                encode(Integer.MIN_VALUE, "x", null, 5L, (short) 3, (byte) -1, new byte[] {9}, BigInteger.TEN, 1.5d);

        assertThat(encoded.types())
                .containsExactly(
                        PgTypes.INT4,
                        PgTypes.UNSPECIFIED,
                        PgTypes.UNSPECIFIED,
                        PgTypes.INT8,
                        PgTypes.INT2,
                        PgTypes.INT2,
                        PgTypes.BYTEA,
                        PgTypes.NUMERIC,
                        PgTypes.FLOAT8);
        Bind bind = bind(encoded);
        assertThat(bind.formats()).containsExactly(1, 0, 0, 1, 1, 1, 1, 0, 0);
        assertThat(bind.values())
                .containsExactly(
                        "80000000", text("x"), null, "0000000000000005", "0003", "ffff", "09", text("10"), text("1.5"));
    }

    @Test
    void extremesAreWrittenBigEndian() {
        Bind bind = bind(
                encode(Integer.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE, Short.MIN_VALUE, Short.MAX_VALUE, -1, -1L));
        assertThat(bind.values())
                .containsExactly(
                        "7fffffff",
                        "8000000000000000",
                        "7fffffffffffffff",
                        "8000",
                        "7fff",
                        "ffffffff",
                        "ffffffffffffffff");
    }

    @Test
    void oneFormatCodeWhenEveryValueIsBinaryAndNoneWhenAllAreText() {
        Bind binary = bind(encode(1, null, 2L, new byte[0]));
        assertThat(binary.formats()).containsExactly(1);
        assertThat(binary.values()).containsExactly("00000001", null, "0000000000000002", "");

        Bind textual = bind(encode("a", null, BigInteger.ONE, true));
        assertThat(textual.formats()).isEmpty();

        Bind none = bind(encode());
        assertThat(none.formats()).isEmpty();
        assertThat(none.values()).isEmpty();
    }

    @Test
    void arraysOfIntegersStayText() {
        ParameterEncoder.Encoded encoded = encode(List.of(1, 2), new int[] {Integer.MIN_VALUE}, List.of(1, 2L));
        assertThat(encoded.types())
                .containsExactly(
                        PgTypes.arrayOf(PgTypes.INT4), PgTypes.arrayOf(PgTypes.INT4), PgTypes.arrayOf(PgTypes.INT8));
        Bind bind = bind(encoded);
        assertThat(bind.formats()).isEmpty();
        assertThat(bind.values())
                .containsExactly(text("{\"1\",\"2\"}"), text("{\"-2147483648\"}"), text("{\"1\",\"2\"}"));
    }
}
