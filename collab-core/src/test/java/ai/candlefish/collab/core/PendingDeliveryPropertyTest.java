package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Any delivery order of a session's updates, with duplicates, integrates everything: nothing stays pending and the
 * content equals in-order delivery. Seeded (java.util.Random, seeds 0-299); a failure names its seed.
 */
class PendingDeliveryPropertyTest {
  @Test
  void applyUpdate_shuffledWithDuplicates_leavesNothingPending() {
    for (long seed = 0; seed < 300; seed++) {
      Random r = new Random(seed);
      List<byte[]> updates = new ArrayList<>();
      Doc[] docs = new Doc[3];
      for (int i = 0; i < 3; i++) {
        docs[i] = Doc.newBuilder().clientId(i + 1).build();
        docs[i].onUpdate((u, o, t) -> updates.add(u));
      }
      for (int step = 0; step < 40; step++) {
        Doc d = docs[r.nextInt(3)];
        YText t = d.getText("t");
        if (t.length() > 0 && r.nextInt(3) == 0) {
          int at = r.nextInt(t.length());
          t.delete(at, Math.min(1 + r.nextInt(3), t.length() - at));
        } else {
          t.insert(r.nextInt(t.length() + 1), "ab".substring(0, 1 + r.nextInt(2)));
        }
        if (r.nextInt(4) == 0) {
          Doc other = docs[r.nextInt(3)];
          other.applyUpdate(d.encodeStateAsUpdate(other.encodeStateVector()));
        }
      }
      List<byte[]> delivery = new ArrayList<>(updates);
      for (int i = 0; i < updates.size() / 3; i++) {
        delivery.add(updates.get(r.nextInt(updates.size())));
      }
      Collections.shuffle(delivery, r);
      Doc target = Doc.create();
      for (byte[] u : delivery) {
        target.applyUpdate(u);
      }
      Doc reference = Doc.create();
      for (byte[] u : updates) {
        reference.applyUpdate(u);
      }
      assertThat(target.hasPendingUpdates()).as("seed %d", seed).isFalse();
      assertThat(target.getText("t").toString()).as("seed %d", seed).isEqualTo(reference.getText("t").toString());
    }
  }
}
