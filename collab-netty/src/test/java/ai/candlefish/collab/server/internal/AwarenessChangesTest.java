package ai.candlefish.collab.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.candlefish.collab.awareness.AwarenessChange;
import java.util.List;
import org.junit.jupiter.api.Test;

class AwarenessChangesTest {
  private final AwarenessChanges waiting = new AwarenessChanges();

  private static AwarenessChange change(List<Long> added, List<Long> updated, List<Long> removed, Object origin) {
    return new AwarenessChange(added, updated, removed, origin);
  }

  @Test
  void take_ofOneChange_isThatChange() {
    AwarenessChange one = change(List.of(1L), List.of(), List.of(), "a");
    assertThat(waiting.add(one)).isTrue();
    assertThat(waiting.take()).isSameAs(one);
    assertThat(waiting.add(one)).as("nothing waits after a take").isTrue();
  }

  @Test
  void take_ofSeveral_saysWhatEachClientDidOverAllOfThem() {
    assertThat(waiting.add(change(List.of(1L, 2L), List.of(3L), List.of(4L), "a"))).isTrue();
    assertThat(waiting.add(change(List.of(4L), List.of(1L), List.of(2L, 3L), "a"))).isFalse();
    assertThat(waiting.add(change(List.of(5L), List.of(6L), List.of(), "a"))).isFalse();
    // 1 added then updated: added; 2 added then removed: removed; 3 updated then removed: removed; 4 removed then
    // added again: updated (it had a state before and has one now); 5 added; 6 updated.
    assertThat(waiting.take()).isEqualTo(change(List.of(1L, 5L), List.of(4L, 6L), List.of(2L, 3L), "a"));
  }

  @Test
  void take_ofChangesWithDifferentOrigins_hasNoOrigin() {
    waiting.add(change(List.of(1L), List.of(), List.of(), "a"));
    waiting.add(change(List.of(), List.of(1L), List.of(), "b"));
    assertThat(waiting.take()).isEqualTo(change(List.of(1L), List.of(), List.of(), null));
  }
}
