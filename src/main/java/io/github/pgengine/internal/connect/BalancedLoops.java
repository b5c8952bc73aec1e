package io.github.pgengine.internal.connect;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.AbstractEventExecutorGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The driver's shared event loops as connections see them: each new connection registers on the loop that serves
 * the fewest open connections (ties in turn), among the first <em>cores</em> loops of the group only. Everything
 * but registration (timers, tasks) goes to the group as before.
 *
 * <p>Why: the group has 2 × cores loops, and Netty hands them out in strict rotation, which jasync draws from twice
 * per connection (to register the channel, and to arm its connect timer with {@code group.schedule}). With nothing
 * else drawing, that put every connection on every other loop, by accident one loop per core; anything that draws
 * in between (another user of the shared loops, pgengine's own hand-offs off its timer, opens that interleave)
 * shifts the later ones onto the others, so a pool's connections could end up on all of them, differently from one
 * start to the next. Spread over 2 × cores loops, a loaded pool wakes more threads for the same
 * work: on 2 cores with 8 connections, the write transaction at 8 callers cost 93-96 µs of client CPU per
 * transaction on four loops against 49-52 µs on two, at two thirds of the throughput (PeerBenchmark's client, runs
 * alternated). That was the "bimodal" pgengine of earlier measurements.
 *
 * <p>Only a NIO group is wrapped: jasync picks the channel class from the group's type, and a wrapped Epoll or
 * KQueue group would get NIO channels it cannot register.
 */
final class BalancedLoops extends AbstractEventExecutorGroup implements EventLoopGroup {
    private final EventLoopGroup group;
    private final EventLoop[] loops;
    /** Open connections per loop of {@link #loops}; guarded by this. */
    private final int[] open;
    /** Where the next search for the emptiest loop starts, so ties go round; guarded by this. */
    private int turn;

    /**
     * @param group the loops
     * @param use how many of them connections register with (the first ones)
     */
    BalancedLoops(EventLoopGroup group, int use) {
        this.group = group;
        List<EventLoop> list = new ArrayList<>();
        for (EventExecutor e : group) {
            list.add((EventLoop) e);
        }
        this.loops = list.subList(0, Math.max(1, Math.min(use, list.size()))).toArray(new EventLoop[0]);
        this.open = new int[loops.length];
    }

    /**
     * Returns the group connections register with.
     *
     * @param group the driver's group
     * @return {@code group} balanced over one loop per core when it is a NIO group, else {@code group} itself
     */
    static EventLoopGroup over(EventLoopGroup group) {
        return group instanceof NioEventLoopGroup
                ? new BalancedLoops(group, Runtime.getRuntime().availableProcessors())
                : group;
    }

    /** Returns how many open connections each loop that takes connections serves, in the group's order. */
    synchronized int[] openPerLoop() {
        return open.clone();
    }

    /**
     * Counts {@code channel} on the loop with the fewest open connections until it closes (a failed registration
     * closes it too).
     */
    private EventLoop place(Channel channel) {
        int k = take();
        channel.closeFuture().addListener(f -> giveBack(k));
        return loops[k];
    }

    /**
     * Returns the index of a loop with the fewest open connections, searching from the next turn, and counts one
     * more there: one step, so connections opened at the same time still spread evenly.
     */
    private synchronized int take() {
        int n = loops.length;
        int start = turn;
        turn = (start + 1) % n;
        int k = start;
        for (int i = 1; i < n && open[k] > 0; i++) {
            int candidate = (start + i) % n;
            if (open[candidate] < open[k]) {
                k = candidate;
            }
        }
        open[k]++;
        return k;
    }

    private synchronized void giveBack(int k) {
        open[k]--;
    }

    @Override
    public ChannelFuture register(Channel channel) {
        return place(channel).register(channel);
    }

    @Override
    public ChannelFuture register(ChannelPromise promise) {
        return place(promise.channel()).register(promise);
    }

    @Deprecated
    @Override
    public ChannelFuture register(Channel channel, ChannelPromise promise) {
        return place(channel).register(promise);
    }

    @Override
    public EventLoop next() {
        return group.next();
    }

    @Override
    public Iterator<EventExecutor> iterator() {
        return group.iterator();
    }

    @Override
    public boolean isShuttingDown() {
        return group.isShuttingDown();
    }

    @Override
    public Future<?> shutdownGracefully(long quietPeriod, long timeout, TimeUnit unit) {
        throw new UnsupportedOperationException("the driver's shared event loops are not pgengine's to shut down");
    }

    @Override
    public Future<?> terminationFuture() {
        return group.terminationFuture();
    }

    @Deprecated
    @Override
    public void shutdown() {
        throw new UnsupportedOperationException("the driver's shared event loops are not pgengine's to shut down");
    }

    @Override
    public boolean isShutdown() {
        return group.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return group.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return group.awaitTermination(timeout, unit);
    }
}
