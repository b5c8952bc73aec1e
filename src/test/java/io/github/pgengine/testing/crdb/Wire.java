package io.github.pgengine.testing.crdb;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** PostgreSQL wire messages: reading, writing and building the few the emulation needs. */
final class Wire {
    private Wire() {}

    /** One typed message: its type byte and its body (without the length). */
    @SuppressWarnings("ArrayRecordComponent") // a wire message as read, passed on unchanged
    record Message(char type, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    static @Nullable Message read(DataInputStream in) throws IOException {
        int type = in.read();
        if (type < 0) {
            return null;
        }
        int length = in.readInt();
        byte[] body = new byte[length - 4];
        in.readFully(body);
        return new Message((char) type, body);
    }

    /** Reads an untyped startup-phase packet (length first). */
    static byte[] readStartup(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 8 || length > 100_000) {
            throw new EOFException("bad startup packet length " + length);
        }
        byte[] body = new byte[length - 4];
        in.readFully(body);
        return body;
    }

    static void write(OutputStream out, Message m) throws IOException {
        byte[] frame = new byte[5 + m.body().length];
        frame[0] = (byte) m.type();
        int length = m.body().length + 4;
        frame[1] = (byte) (length >>> 24);
        frame[2] = (byte) (length >>> 16);
        frame[3] = (byte) (length >>> 8);
        frame[4] = (byte) length;
        System.arraycopy(m.body(), 0, frame, 5, m.body().length);
        out.write(frame);
    }

    static void writeStartup(OutputStream out, byte[] body) throws IOException {
        int length = body.length + 4;
        out.write(new byte[] {(byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length});
        out.write(body);
    }

    /** Parses the key/value pairs of ErrorResponse and NoticeResponse bodies. */
    static Map<Character, String> fields(byte[] body) {
        Map<Character, String> fields = new LinkedHashMap<>();
        int i = 0;
        while (i < body.length && body[i] != 0) {
            char code = (char) body[i++];
            int end = i;
            while (body[end] != 0) {
                end++;
            }
            fields.put(code, new String(body, i, end - i, StandardCharsets.UTF_8));
            i = end + 1;
        }
        return fields;
    }

    static byte[] fieldsBody(Map<Character, String> fields) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        fields.forEach((k, v) -> {
            b.write(k);
            b.writeBytes(v.getBytes(StandardCharsets.UTF_8));
            b.write(0);
        });
        b.write(0);
        return b.toByteArray();
    }

    static Message parameterStatus(String name, String value) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        cstring(b, name);
        cstring(b, value);
        return new Message('S', b.toByteArray());
    }

    static Message commandComplete(String tag) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        cstring(b, tag);
        return new Message('C', b.toByteArray());
    }

    /** Returns the C string starting at {@code offset} and the offset past its NUL. */
    static String cstringAt(byte[] body, int offset, int[] next) {
        int end = offset;
        while (body[end] != 0) {
            end++;
        }
        next[0] = end + 1;
        return new String(body, offset, end - offset, StandardCharsets.UTF_8);
    }

    static void cstring(ByteArrayOutputStream b, String s) {
        b.writeBytes(s.getBytes(StandardCharsets.UTF_8));
        b.write(0);
    }

    static int int32(byte[] b, int offset) {
        return ((b[offset] & 0xff) << 24)
                | ((b[offset + 1] & 0xff) << 16)
                | ((b[offset + 2] & 0xff) << 8)
                | (b[offset + 3] & 0xff);
    }
}
