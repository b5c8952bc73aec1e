package io.github.pgengine;

/**
 * A listen subscription's buffer was full with the overflow policy {@link ListenOptions.Overflow#FAIL}: the subscriber
 * did not request notifications as fast as they came. The subscription has ended and its connection is closed; the
 * message tells how many buffered notifications were not delivered.
 */
public class ListenOverflowException extends EngineException {
    private static final long serialVersionUID = 1L;

    private final int bufferSize;

    /**
     * An overflow of the engine's own.
     *
     * @param message what happened
     * @param bufferSize the buffer size that was exceeded ({@link ListenOptions#bufferSize()})
     */
    public ListenOverflowException(String message, int bufferSize) {
        super(message, null);
        this.bufferSize = bufferSize;
    }

    /** Returns the buffer size that was exceeded. */
    public int bufferSize() {
        return bufferSize;
    }
}
