package io.github.pgengine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * The settings shared by {@link PostgresEngine.Builder} and {@link CockroachEngine.Builder}.
 *
 * @param <B> the concrete builder
 * @param <E> the engine it builds
 */
public abstract class EngineBuilder<B extends EngineBuilder<B, E>, E extends PostgresEngine> {
    Map<String, ?> config = Map.of();
    @Nullable String url;
    List<String> extensions = List.of();
    boolean logQueries;
    boolean logResponses;
    Map<String, PostgresEngine> extraNodes = Map.of();
    @Nullable Executor callbackExecutor;
    @Nullable String name;
    @Nullable RetryPolicy retryPolicy;

    EngineBuilder() {}

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /**
     * @param config connection settings (see docs/configuration.md for the keys); replaces earlier ones
     * @return this builder
     */
    public B config(Map<String, ?> config) {
        this.config = new LinkedHashMap<>(Objects.requireNonNull(config, "config"));
        return self();
    }

    /**
     * @param url a {@code postgresql://}, {@code postgres://} or {@code jdbc:postgresql://} URL; keys of the
     *     config map win over it
     * @return this builder
     */
    public B url(String url) {
        this.url = Objects.requireNonNull(url, "url");
        return self();
    }

    /**
     * @param extensions extensions {@code prepDatabase()} creates, in order
     * @return this builder
     */
    public B extensions(List<String> extensions) {
        this.extensions = List.copyOf(Objects.requireNonNull(extensions, "extensions"));
        return self();
    }

    /**
     * @param logQueries log each statement before it runs (logger {@code io.github.pgengine.query})
     * @return this builder
     */
    public B logQueries(boolean logQueries) {
        this.logQueries = logQueries;
        return self();
    }

    /**
     * @param logResponses log each response with its duration (logger {@code io.github.pgengine.response})
     * @return this builder
     */
    public B logResponses(boolean logResponses) {
        this.logResponses = logResponses;
        return self();
    }

    /**
     * @param extraNodes other engines (read replicas, other nodes) by name, reached with {@code node(name)}
     * @return this builder
     */
    public B extraNodes(Map<String, ? extends PostgresEngine> extraNodes) {
        this.extraNodes = Map.copyOf(Objects.requireNonNull(extraNodes, "extraNodes"));
        return self();
    }

    /**
     * @param executor completes the futures the engine returns; by default they complete on the driver's
     *     I/O thread, so callbacks must not block
     * @return this builder
     */
    public B callbackExecutor(Executor executor) {
        this.callbackExecutor = Objects.requireNonNull(executor, "executor");
        return self();
    }

    /**
     * @param name shown in logs and messages; defaults to {@code user@host:port/database}
     * @return this builder
     */
    public B name(String name) {
        this.name = Objects.requireNonNull(name, "name");
        return self();
    }

    /**
     * @param retryPolicy how transactions retry serialization failures (40001, 40P01); PostgresEngine's default
     *     is {@link RetryPolicy#none()}, CockroachEngine's {@link RetryPolicy#defaults()}
     * @return this builder
     */
    public B retryPolicy(RetryPolicy retryPolicy) {
        this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
        return self();
    }

    List<String> extensionsCopy() {
        return new ArrayList<>(extensions);
    }

    /**
     * Builds the engine; does no I/O.
     *
     * @return the engine
     * @throws IllegalArgumentException when a setting is wrong
     */
    public abstract E build();
}
