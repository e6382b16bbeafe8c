package ai.candlefish.collab.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.candlefish.collab.awareness.Awareness;
import ai.candlefish.collab.core.DecodingException;
import ai.candlefish.collab.core.internal.codec.Lib0Encoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * What the coalescer holds and lets through ends in the same presence as applying every update it was given in
 * order (y-protocols' rule: the highest clock wins, a removal wins at an equal clock), for seeded random sequences
 * of updates from a few clients, removals and stale clocks included.
 */
class AwarenessCoalescerPropertyTest {
  private static final long SECOND = 1_000_000_000L;

  /** An awareness update of {@code entries}: client, clock, state JSON. */
  private static byte[] update(List<Object[]> entries) {
    Lib0Encoder out = new Lib0Encoder();
    out.writeVarUint(entries.size());
    for (Object[] e : entries) {
      out.writeVarUint((Long) e[0]);
      out.writeVarUint((Long) e[1]);
      out.writeVarString((String) e[2]);
    }
    return out.toByteArray();
  }

  private static Awareness receiver() {
    return new Awareness(1_000_000L, () -> 0);
  }

  @Test
  void drain_endsInTheSamePresenceAsApplyingEveryUpdateInOrder() {
    long seed = new Random().nextLong();
    Random random = new Random(seed);
    for (int round = 0; round < 300; round++) {
      Awareness inOrder = receiver();
      Awareness coalesced = receiver();
      AwarenessCoalescer<String> coalescer = new AwarenessCoalescer<>(1, 1 << 20, 1 << 20, 0);
      coalescer.tryPass("doc", 1, 0); // the budget is spent: everything after is held
      int updates = 1 + random.nextInt(20);
      for (int u = 0; u < updates; u++) {
        List<Object[]> entries = new ArrayList<>();
        int n = 1 + random.nextInt(3);
        for (int e = 0; e < n; e++) {
          long client = 1 + random.nextInt(4);
          long clock = random.nextInt(6);
          String state = random.nextInt(4) == 0 ? "null" : "{\"c\":" + random.nextInt(100) + "}";
          entries.add(new Object[] {client, clock, state});
        }
        byte[] update = update(entries);
        inOrder.applyUpdate(update, "client");
        assertThat(coalescer.tryPass("doc", update.length, 0)).isFalse();
        coalescer.hold("doc", update);
      }
      Map<String, byte[]> drained = coalescer.drain(0);
      assertThat(drained).containsOnlyKeys("doc");
      coalesced.applyUpdate(drained.get("doc"), "client");
      assertThat(coalesced.states()).as("seed %d, round %d", seed, round).isEqualTo(inOrder.states());
      assertThat(coalescer.isHolding()).isFalse();
    }
  }

  @Test
  void tryPass_withinTheBudgetOfUpdatesAndBytes_thenAfterTheDelay() {
    AwarenessCoalescer<String> coalescer = new AwarenessCoalescer<>(2, 1024, 4096, 0);
    assertThat(coalescer.tryPass("a", 100, 0)).isTrue();
    assertThat(coalescer.tryPass("b", 100, 0)).isTrue();
    assertThat(coalescer.tryPass("a", 100, 0)).as("two updates a second").isFalse();
    assertThat(coalescer.delay(0)).isPositive();
    assertThat(coalescer.tryPass("a", 3000, SECOND)).isTrue();
    assertThat(coalescer.tryPass("a", 10, 2 * SECOND)).as("3000 bytes at 1024 a second").isFalse();
    assertThat(coalescer.tryPass("a", 10, 3 * SECOND)).isTrue();
  }

  @Test
  void hold_keepsOnlyTheNewestUpdate_beyondTheMaximumHeld_andRefusesMalformedOnes() {
    AwarenessCoalescer<String> coalescer = new AwarenessCoalescer<>(1, 1 << 20, 200, 0);
    String big = "{\"s\":\"" + "x".repeat(100) + "\"}";
    assertThat(coalescer.hold("doc", update(List.<Object[]>of(new Object[] {1L, 1L, big})))).isTrue();
    assertThat(coalescer.hold("doc", update(List.<Object[]>of(new Object[] {2L, 1L, big})))).isFalse();
    Awareness received = receiver();
    received.applyUpdate(coalescer.drain(0).get("doc"), "client");
    assertThat(received.states()).containsKey(2L).doesNotContainKey(1L);

    assertThatThrownBy(() -> coalescer.hold("doc", new byte[] {5, 1})).isInstanceOf(DecodingException.class);
    assertThat(coalescer.isHolding()).isFalse();
  }
}
