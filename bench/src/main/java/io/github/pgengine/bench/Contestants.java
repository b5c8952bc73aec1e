package io.github.pgengine.bench;

import com.github.jasync.sql.db.ConnectionPoolConfigurationBuilder;
import com.github.jasync.sql.db.pool.ConnectionPool;
import com.github.jasync.sql.db.postgresql.PostgreSQLConnection;
import com.github.jasync.sql.db.postgresql.PostgreSQLConnectionBuilder;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.pgengine.PoolOptions;
import io.github.pgengine.PostgresEngine;
import io.github.pgengine.testing.TestPostgres;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The contestants of {@link PeerBenchmark}, each with a pool of 8. */
final class Contestants {
    static final String SELECT = "SELECT abalance FROM pgbench_accounts WHERE aid = $1";
    static final String UPDATE = "UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2";
    static final String INSERT =
            "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES ($1, $2, $3, $4, CURRENT_TIMESTAMP)";
    static final int POOL = 8;

    private Contestants() {}

    /** The keys that name contestants on a child JVM's command line, in the order of the report. */
    static final List<String> KEYS =
            List.of("pgengine", "jasync-default", "jasync-tuned", "vertx", "vertx-pipelined", "pgjdbc");

    /** @return the contestant a key names, connected to {@code pg} */
    static Contestant byKey(String key, TestPostgres pg) throws Exception {
        return switch (key) {
            case "pgengine" -> pgengine(pg);
            case "jasync-default" -> jasync(pg, false);
            case "jasync-tuned" -> jasync(pg, true);
            case "vertx" -> vertx(pg, false);
            case "vertx-pipelined" -> vertx(pg, true);
            case "pgjdbc" -> pgjdbc(pg);
            default -> throw new IllegalArgumentException("unknown contestant " + key + " (known: " + KEYS + ")");
        };
    }

    /** @return the name a key's contestant goes by in the report */
    static String displayName(String key) {
        return switch (key) {
            case "pgengine" -> "pgengine";
            case "jasync-default" -> "jasync default";
            case "jasync-tuned" -> "jasync tuned";
            case "vertx" -> "Vert.x (no pipelining)";
            case "vertx-pipelined" -> "Vert.x (pipelining 256)";
            case "pgjdbc" -> "pgjdbc + HikariCP";
            default -> key;
        };
    }

    static String q(String sql) {
        return sql.replaceAll("\\$\\d", "?");
    }

    static Contestant pgengine(TestPostgres pg) throws Exception {
        PostgresEngine engine = new PostgresEngine(pg.config());
        engine.startConnectionPool(
                        PoolOptions.builder().maxSize(POOL).minIdle(POOL).build())
                .get(60, TimeUnit.SECONDS);
        return new Contestant() {
            public String name() {
                return "pgengine";
            }

            public CompletableFuture<?> pointSelect(int aid) {
                return engine.query(SELECT, aid);
            }

            public CompletableFuture<?> tpcb(int aid, int tid, int bid, int delta) {
                return engine.transaction(tx -> tx.execute(UPDATE, delta, aid)
                        .thenCompose(n -> tx.query(SELECT, aid))
                        .thenCompose(r -> tx.execute(INSERT, tid, bid, aid, delta)));
            }

            public void close() throws Exception {
                engine.close().get(30, TimeUnit.SECONDS);
            }
        };
    }

    static Contestant jasync(TestPostgres pg, boolean tuned) {
        ConnectionPoolConfigurationBuilder b = new ConnectionPoolConfigurationBuilder();
        b.setHost(pg.host());
        b.setPort(pg.port());
        b.setUsername(pg.user());
        b.setPassword(pg.password());
        b.setDatabase(pg.database());
        b.setMaxActiveConnections(POOL);
        if (tuned) {
            b.setExecutionContext(Runnable::run);
            b.setMinIdleConnections(POOL);
        }
        ConnectionPool<PostgreSQLConnection> pool = PostgreSQLConnectionBuilder.createConnectionPool(b);
        return new Contestant() {
            public String name() {
                return tuned ? "jasync tuned" : "jasync default";
            }

            public CompletableFuture<?> pointSelect(int aid) {
                return pool.sendPreparedStatement(q(SELECT), List.of(aid));
            }

            public CompletableFuture<?> tpcb(int aid, int tid, int bid, int delta) {
                return pool.inTransaction(c -> c.sendPreparedStatement(q(UPDATE), List.of(delta, aid))
                        .thenCompose(r -> c.sendPreparedStatement(q(SELECT), List.of(aid)))
                        .thenCompose(r -> c.sendPreparedStatement(q(INSERT), List.of(tid, bid, aid, delta))));
            }

            public void close() throws Exception {
                pool.disconnect().get(30, TimeUnit.SECONDS);
            }
        };
    }

    static Contestant vertx(TestPostgres pg, boolean pipelining) {
        Vertx vertx = Vertx.vertx();
        PgConnectOptions connect = new PgConnectOptions()
                .setHost(pg.host())
                .setPort(pg.port())
                .setUser(pg.user())
                .setPassword(pg.password())
                .setDatabase(pg.database())
                .setCachePreparedStatements(true);
        if (!pipelining) {
            connect.setPipeliningLimit(1);
        }
        Pool pool = PgBuilder.pool()
                .with(new io.vertx.sqlclient.PoolOptions().setMaxSize(POOL))
                .connectingTo(connect)
                .using(vertx)
                .build();
        return new Contestant() {
            public String name() {
                return pipelining ? "Vert.x (pipelining 256)" : "Vert.x (no pipelining)";
            }

            public CompletableFuture<?> pointSelect(int aid) {
                return pool.preparedQuery(SELECT)
                        .execute(Tuple.of(aid))
                        .toCompletionStage()
                        .toCompletableFuture();
            }

            public CompletableFuture<?> tpcb(int aid, int tid, int bid, int delta) {
                return pool.withTransaction(c -> c.preparedQuery(UPDATE)
                                .execute(Tuple.of(delta, aid))
                                .compose(r -> c.preparedQuery(SELECT).execute(Tuple.of(aid)))
                                .compose(r -> c.preparedQuery(INSERT).execute(Tuple.of(tid, bid, aid, delta))))
                        .toCompletionStage()
                        .toCompletableFuture();
            }

            public void close() throws Exception {
                pool.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
                vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
        };
    }

    static Contestant pgjdbc(TestPostgres pg) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(
                "jdbc:postgresql://" + pg.host() + ":" + pg.port() + "/" + pg.database() + "?prepareThreshold=1");
        config.setUsername(pg.user());
        config.setPassword(pg.password());
        config.setMaximumPoolSize(POOL);
        config.setMinimumIdle(POOL);
        HikariDataSource ds = new HikariDataSource(config);
        return new Contestant() {
            public String name() {
                return "pgjdbc + HikariCP";
            }

            public boolean blocking() {
                return true;
            }

            public CompletableFuture<?> pointSelect(int aid) throws Exception {
                try (Connection c = ds.getConnection();
                        PreparedStatement ps = c.prepareStatement(q(SELECT))) {
                    ps.setInt(1, aid);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        return CompletableFuture.completedFuture(rs.getInt(1));
                    }
                }
            }

            public CompletableFuture<?> tpcb(int aid, int tid, int bid, int delta) throws Exception {
                try (Connection c = ds.getConnection()) {
                    c.setAutoCommit(false);
                    try (PreparedStatement u = c.prepareStatement(q(UPDATE));
                            PreparedStatement s = c.prepareStatement(q(SELECT));
                            PreparedStatement i = c.prepareStatement(q(INSERT))) {
                        u.setInt(1, delta);
                        u.setInt(2, aid);
                        u.executeUpdate();
                        s.setInt(1, aid);
                        try (ResultSet rs = s.executeQuery()) {
                            rs.next();
                        }
                        i.setInt(1, tid);
                        i.setInt(2, bid);
                        i.setInt(3, aid);
                        i.setInt(4, delta);
                        i.executeUpdate();
                        c.commit();
                    } catch (Exception e) {
                        c.rollback();
                        throw e;
                    } finally {
                        c.setAutoCommit(true);
                    }
                }
                return CompletableFuture.completedFuture(null);
            }

            public void close() {
                ds.close();
            }
        };
    }
}
