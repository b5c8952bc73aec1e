package io.github.pgengine.internal.connect;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Two settings that differ in any one value are not equal, whichever value it is: a guard against equals() drifting
 * from the fields (it once left out rewriteBatchedInserts; it is a record now, and this keeps it one). Built through
 * the public constructor, one argument changed at a time.
 */
class ConnectionSettingsUnitTest {
    private static Constructor<?> constructor() {
        return Arrays.stream(ConnectionSettings.class.getDeclaredConstructors())
                .filter(c -> Modifier.isPublic(c.getModifiers()))
                .findFirst()
                .orElseThrow();
    }

    private static Object value(Class<?> type, boolean other) {
        if (type == String.class) {
            return other ? "b" : "a";
        }
        if (type == int.class) {
            return other ? 2 : 1;
        }
        if (type == boolean.class) {
            return other;
        }
        if (type == Duration.class) {
            return Duration.ofSeconds(other ? 2 : 1);
        }
        if (type == ConnectionSettings.SslMode.class) {
            return other ? ConnectionSettings.SslMode.REQUIRE : ConnectionSettings.SslMode.PREFER;
        }
        if (type == Hosts.class) {
            return Hosts.single(other ? "b" : "a", 5432);
        }
        if (type == PgPassFile.class) {
            return PgPassFile.read(Path.of(other ? "/nonexistent/b" : "/nonexistent/a"));
        }
        throw new AssertionError("no test value for " + type);
    }

    @Test
    void settingsThatDifferInAnyOneValueAreNotEqual() throws Exception {
        Constructor<?> c = constructor();
        Class<?>[] types = c.getParameterTypes();
        Object[] base = new Object[types.length];
        for (int i = 0; i < types.length; i++) {
            base[i] = value(types[i], false);
        }
        Object a = c.newInstance(base);
        assertThat(a).isEqualTo(c.newInstance(base.clone())).hasSameHashCodeAs(c.newInstance(base.clone()));
        for (int i = 0; i < types.length; i++) {
            Object[] changed = base.clone();
            changed[i] = value(types[i], true);
            assertThat(c.newInstance(changed))
                    .as("settings differing only in argument %d (%s)", i, c.getParameters()[i].getName())
                    .isNotEqualTo(a);
        }
    }
}
