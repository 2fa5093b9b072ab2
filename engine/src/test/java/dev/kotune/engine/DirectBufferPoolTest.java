package dev.kotune.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;

class DirectBufferPoolTest {

    @Test
    void reusesAReturnedBufferLargeEnoughAndKeepsAtMostMaxIdle() {
        DirectBufferPool pool = new DirectBufferPool(1);
        FloatBuffer a = pool.borrow(100);
        FloatBuffer b = pool.borrow(200);
        assertThat(a.capacity()).isGreaterThanOrEqualTo(100);
        assertThat(a.isDirect()).isTrue();
        pool.release(a);
        pool.release(b); // two idle, max 1: the smaller (a) is dropped and freed
        assertThat(pool.borrow(50)).isSameAs(b);
        assertThat(pool.borrow(50)).isNotSameAs(a).isNotSameAs(b);
    }

    @Test
    void afterCloseBuffersStillComeBackSafelyAndNewOnesWork() {
        DirectBufferPool pool = new DirectBufferPool(4);
        FloatBuffer borrowed = pool.borrow(64);
        pool.release(pool.borrow(32));
        pool.close(); // frees the idle one
        borrowed.put(0, 1.5f); // a borrowed buffer stays valid until it comes back
        assertThat(borrowed.get(0)).isEqualTo(1.5f);
        pool.release(borrowed); // freed now, not pooled
        FloatBuffer fresh = pool.borrow(64);
        assertThat(fresh).isNotSameAs(borrowed);
        fresh.put(63, 2f);
        assertThat(fresh.get(63)).isEqualTo(2f);
    }
}
