package io.github.pgengine.internal.wire;

/**
 * What a CancelRequest needs to name a session: the server process id and the secret the server sent at start-up.
 *
 * @param processId the backend's process id
 * @param secret the cancel secret
 */
public record BackendKey(int processId, int secret) {
    @Override
    public String toString() {
        return "BackendKey{pid=" + processId + "}";
    }
}
