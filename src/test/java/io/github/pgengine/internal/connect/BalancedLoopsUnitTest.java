package io.github.pgengine.internal.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.pgengine.testing.Await;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Where {@link BalancedLoops} registers connections: the fewest open first, on the first {@code use} loops only. */
class BalancedLoopsUnitTest {
    private final NioEventLoopGroup group = new NioEventLoopGroup(4);
    private final List<Channel> channels = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (Channel c : channels) {
            c.close().await(10, TimeUnit.SECONDS);
        }
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
    }

    private Channel register(BalancedLoops loops) throws InterruptedException {
        Channel c = new NioSocketChannel();
        channels.add(c);
        assertThat(loops.register(c).await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(c.isRegistered()).isTrue();
        return c;
    }

    private List<EventLoop> firstLoops(int n) {
        List<EventLoop> out = new ArrayList<>();
        for (EventExecutor e : group) {
            if (out.size() < n) {
                out.add((EventLoop) e);
            }
        }
        return out;
    }

    @Test
    void eightConnectionsOnTwoOfFourLoopsAreFourAndFour() throws Exception {
        BalancedLoops loops = new BalancedLoops(group, 2);
        for (int i = 0; i < 8; i++) {
            register(loops);
        }
        assertThat(loops.openPerLoop()).containsExactly(4, 4);
        assertThat(channels).allSatisfy(c -> assertThat(firstLoops(2)).contains(c.eventLoop()));
    }

    @Test
    void aClosedConnectionsLoopTakesTheNextOnes() throws Exception {
        BalancedLoops loops = new BalancedLoops(group, 2);
        for (int i = 0; i < 8; i++) {
            register(loops);
        }
        EventLoop first = firstLoops(1).get(0);
        List<Channel> onFirst =
                channels.stream().filter(c -> c.eventLoop() == first).toList();
        for (int i = 0; i < 3; i++) {
            onFirst.get(i).close().await(10, TimeUnit.SECONDS);
        }
        Await.until("the closed connections are counted out", () -> loops.openPerLoop()[0] == 1);
        assertThat(register(loops).eventLoop()).isSameAs(first);
        assertThat(register(loops).eventLoop()).isSameAs(first);
        assertThat(loops.openPerLoop()).containsExactly(3, 4);
    }

    @Test
    void connectionsOpenedAllAtOnceAreSpreadEvenly() throws Exception {
        BalancedLoops loops = new BalancedLoops(group, 4);
        int n = 64;
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<Channel>> opened = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            CompletableFuture<Channel> f = new CompletableFuture<>();
            opened.add(f);
            Channel c = new NioSocketChannel();
            channels.add(c);
            Thread t = new Thread(() -> {
                try {
                    go.await();
                    loops.register(c).addListener(x -> f.complete(c));
                } catch (InterruptedException e) {
                    f.completeExceptionally(e);
                }
            });
            t.start();
        }
        go.countDown();
        for (CompletableFuture<Channel> f : opened) {
            assertThat(Await.result(f).isRegistered()).isTrue();
        }
        assertThat(loops.openPerLoop()).containsExactly(16, 16, 16, 16);
    }

    @Test
    void moreLoopsAskedThanTheGroupHasUsesTheGroupAndTimersStillRun() throws Exception {
        BalancedLoops loops = new BalancedLoops(group, 64);
        for (int i = 0; i < 4; i++) {
            register(loops);
        }
        assertThat(loops.openPerLoop()).containsExactly(1, 1, 1, 1);
        CompletableFuture<String> ran = new CompletableFuture<>();
        loops.schedule(() -> ran.complete("ran"), 1, TimeUnit.MILLISECONDS);
        assertThat(Await.result(ran)).isEqualTo("ran");
        assertThatThrownBy(() -> loops.shutdownGracefully())
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("not pgengine's to shut down");
        assertThat(group.isShuttingDown()).isFalse();
    }

    @Test
    void onlyANioGroupIsWrapped() {
        assertThat(BalancedLoops.over(group)).isInstanceOf(BalancedLoops.class);
        io.netty.channel.DefaultEventLoopGroup local = new io.netty.channel.DefaultEventLoopGroup(1);
        try {
            assertThat(BalancedLoops.over(local)).isSameAs(local);
        } finally {
            local.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }
}
