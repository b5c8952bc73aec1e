package io.github.pgengine.internal.codec;

import java.util.HashMap;
import java.util.Map;

/** Built-in type OIDs (pg_type.dat) and which array type holds which element type. */
public final class PgTypes {
    public static final int UNSPECIFIED = 0;
    public static final int BOOL = 16;
    public static final int BYTEA = 17;
    static final int CHAR = 18;
    static final int NAME = 19;
    public static final int INT8 = 20;
    public static final int INT2 = 21;
    public static final int INT4 = 23;
    public static final int TEXT = 25;
    static final int OID = 26;
    static final int JSON = 114;
    static final int XML = 142;
    static final int CIDR = 650;
    static final int FLOAT4 = 700;
    public static final int FLOAT8 = 701;
    static final int UNKNOWN = 705;
    static final int MONEY = 790;
    static final int MACADDR = 829;
    static final int INET = 869;
    static final int BPCHAR = 1042;
    static final int VARCHAR = 1043;
    static final int DATE = 1082;
    static final int TIME = 1083;
    static final int TIMESTAMP = 1114;
    static final int TIMESTAMPTZ = 1184;
    static final int INTERVAL = 1186;
    static final int TIMETZ = 1266;
    public static final int NUMERIC = 1700;
    static final int UUID = 2950;
    static final int JSONB = 3802;

    static final int BOOL_ARRAY = 1000;
    static final int BYTEA_ARRAY = 1001;
    static final int INT2_ARRAY = 1005;
    static final int INT4_ARRAY = 1007;
    static final int TEXT_ARRAY = 1009;
    static final int INT8_ARRAY = 1016;
    static final int FLOAT4_ARRAY = 1021;
    static final int FLOAT8_ARRAY = 1022;
    static final int INET_ARRAY = 1041;
    static final int DATE_ARRAY = 1182;
    static final int TIME_ARRAY = 1183;
    static final int TIMESTAMP_ARRAY = 1115;
    static final int TIMESTAMPTZ_ARRAY = 1185;
    public static final int INTERVAL_ARRAY = 1187;
    static final int NUMERIC_ARRAY = 1231;
    static final int TIMETZ_ARRAY = 1270;
    static final int UUID_ARRAY = 2951;

    private static final Map<Integer, Integer> ELEMENTS = new HashMap<>();
    private static final Map<Integer, Integer> ARRAYS = new HashMap<>();
    /** The SQL names of the types the decoders read as something other than text, for messages. */
    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(BOOL, "boolean"),
            Map.entry(BYTEA, "bytea"),
            Map.entry(INT8, "bigint"),
            Map.entry(INT2, "smallint"),
            Map.entry(INT4, "integer"),
            Map.entry(OID, "oid"),
            Map.entry(FLOAT4, "real"),
            Map.entry(FLOAT8, "double precision"),
            Map.entry(DATE, "date"),
            Map.entry(TIME, "time"),
            Map.entry(TIMESTAMP, "timestamp"),
            Map.entry(TIMESTAMPTZ, "timestamptz"),
            Map.entry(INTERVAL, "interval"),
            Map.entry(TIMETZ, "timetz"),
            Map.entry(NUMERIC, "numeric"),
            Map.entry(UUID, "uuid"));

    static {
        element(BOOL_ARRAY, BOOL);
        element(BYTEA_ARRAY, BYTEA);
        element(1002, CHAR);
        element(1003, NAME);
        element(INT2_ARRAY, INT2);
        element(INT4_ARRAY, INT4);
        element(TEXT_ARRAY, TEXT);
        element(1014, BPCHAR);
        element(1015, VARCHAR);
        element(INT8_ARRAY, INT8);
        element(FLOAT4_ARRAY, FLOAT4);
        element(FLOAT8_ARRAY, FLOAT8);
        element(1028, OID);
        element(INET_ARRAY, INET);
        element(651, CIDR);
        element(1040, MACADDR);
        element(DATE_ARRAY, DATE);
        element(TIME_ARRAY, TIME);
        element(TIMESTAMP_ARRAY, TIMESTAMP);
        element(TIMESTAMPTZ_ARRAY, TIMESTAMPTZ);
        element(INTERVAL_ARRAY, INTERVAL);
        element(NUMERIC_ARRAY, NUMERIC);
        element(TIMETZ_ARRAY, TIMETZ);
        element(UUID_ARRAY, UUID);
        element(199, JSON);
        element(3807, JSONB);
        element(143, XML);
        element(791, MONEY);
    }

    private PgTypes() {}

    private static void element(int array, int element) {
        ELEMENTS.put(array, element);
        ARRAYS.putIfAbsent(element, array);
    }

    /** Returns the element type of a built-in array type, or -1 when {@code oid} is not one. */
    static int elementOf(int oid) {
        Integer e = ELEMENTS.get(oid);
        return e == null ? -1 : e;
    }

    /**
     * Returns a type's SQL name for messages: {@code interval}, {@code date[]}; {@code type 16384} for a type not
     * named here.
     */
    public static String name(int oid) {
        String name = NAMES.get(oid);
        if (name != null) {
            return name;
        }
        String element = NAMES.get(elementOf(oid));
        return element != null ? element + "[]" : "type " + oid;
    }

    /** Returns the array type of a built-in element type, or {@link #UNSPECIFIED}. */
    public static int arrayOf(int element) {
        Integer a = ARRAYS.get(element);
        return a == null ? UNSPECIFIED : a;
    }
}
