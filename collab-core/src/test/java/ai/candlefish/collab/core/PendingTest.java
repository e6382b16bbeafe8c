package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Structs and deletions that wait for what they depend on ({@link Pending}). */
class PendingTest {
  /** Three writers taking turns, each edit (insert or delete) depending on the ones before it. */
  private static List<byte[]> history(Doc target) {
    List<Doc> writers = List.of(Doc.newBuilder().clientId(11).build(), Doc.newBuilder().clientId(22).build(),
        Doc.newBuilder().clientId(33).build());
    List<byte[]> updates = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      Doc w = writers.get(i % 3);
      Doc next = writers.get((i + 1) % 3);
      List<byte[]> out = new ArrayList<>();
      var sub = w.onUpdate((u, o, t) -> out.add(u));
      YText t = w.getText("t");
      if (i % 7 == 6 && t.length() > 2) {
        t.delete(1, 2);
      } else {
        t.insert(t.length() / 2, "w" + i + " ");
      }
      sub.close();
      updates.addAll(out);
      out.forEach(next::applyUpdate);
      out.forEach(u -> writers.forEach(d -> d.applyUpdate(u)));
    }
    target.applyUpdate(writers.get(0).encodeStateAsUpdate());
    return updates;
  }

  @Test
  void chainDeliveredBackwards_waitsWhole_andIsIntegratedWhenTheFirstArrives() {
    Doc expected = Doc.create();
    List<byte[]> updates = history(expected);
    Doc doc = Doc.create();
    for (int i = updates.size() - 1; i >= 1; i--) {
      doc.applyUpdate(updates.get(i));
    }
    assertThat(doc.getText("t").toString()).isEmpty();
    assertThat(doc.pendingBytes()).isPositive();
    // What waits is part of the document's state: a store that keeps it loses nothing.
    Doc restored = Doc.create();
    restored.applyUpdate(doc.encodeStateAsUpdate());
    assertThat(restored.hasPendingUpdates()).isTrue();

    doc.applyUpdate(updates.get(0));
    restored.applyUpdate(updates.get(0));
    for (Doc d : List.of(doc, restored)) {
      assertThat(d.hasPendingUpdates()).isFalse();
      assertThat(d.pendingBytes()).isZero();
      assertThat(d.getText("t").toString()).isEqualTo(expected.getText("t").toString());
      assertThat(d.encodeStateAsUpdate()).isEqualTo(expected.encodeStateAsUpdate());
      DocInvariants.check(d, false);
    }
  }
}
