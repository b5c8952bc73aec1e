package io.github.pgengine.testing;

import org.jspecify.annotations.Nullable;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;

/** The Testcontainers backend: used only when a Docker engine answers. */
final class DockerPostgres {
    private DockerPostgres() {}

    static @Nullable TestPostgres tryStart() {
        if (!dockerAvailable()) {
            return null;
        }
        PostgreSQLContainer<?> container = new PostgreSQLContainer<>("postgres:"
                        + System.getProperty("pgengine.test.postgres.version", "17")
                                .split("\\.", -1)[0] + "-alpine")
                .withDatabaseName("pgengine_test")
                .withUsername("pgengine")
                .withPassword("pgengine-test-pw")
                .withCommand("postgres", "-c", "fsync=off", "-c", "max_connections=300");
        container.start();
        Runtime.getRuntime().addShutdownHook(new Thread(container::stop, "pgengine-test-docker-stop"));
        return TestPostgres.create(
                container.getHost(),
                container.getMappedPort(5432),
                "pgengine_test",
                "pgengine",
                "pgengine-test-pw",
                "Testcontainers " + container.getDockerImageName(),
                null);
    }

    /** Returns true when Docker answers; quick and quiet when there is no engine. */
    static boolean dockerAvailable() {
        boolean socket = new java.io.File("/var/run/docker.sock").exists() || System.getenv("DOCKER_HOST") != null;
        if (!socket) {
            return false;
        }
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | Error e) {
            return false;
        }
    }
}
