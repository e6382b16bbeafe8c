package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;

/**
 * {@link Snapshot#restore}: after random edits by two replicas, restoring a snapshot taken in between brings the
 * content back to what {@link Snapshot#toDoc} shows for it, on the replica that restored and, through the restore's
 * update, on the other; and restoring into a garbage-collected replica's gc-off copy gives an update that does the
 * same to the collected replica. Seeded: a failure prints its seed.
 */
class SnapshotRestorePropertyTest {
  @RepeatedTest(60)
  void restore_bringsBackTheContentOfTheSnapshot(RepetitionInfo info) {
    long seed = 0x7E57_0000L + info.getCurrentRepetition();
    try {
      run(new SplittableRandom(seed));
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError("seed " + seed + ": " + e.getMessage(), e);
    }
  }

  private static void run(SplittableRandom rnd) {
    RandomEdits edits = new RandomEdits(rnd);
    Doc a = replica(1, false);
    Doc b = replica(2, false);
    Doc collected = replica(3, true);
    List<byte[]> toB = new ArrayList<>();
    a.onUpdate((u, origin, txn) -> toB.add(u));
    for (int i = 0; i < 10 + rnd.nextInt(30); i++) {
      edit(rnd, edits, a, b, collected);
    }
    Snapshot then = Snapshot.of(a);
    Doc expected = then.toDoc(a, replica(5, true));
    for (int i = 0; i < 5 + rnd.nextInt(30); i++) {
      edit(rnd, edits, a, b, collected);
    }
    sync(a, b);
    sync(a, collected);
    // the collected replica restores through a gc-off copy holding its own state and the version's
    Doc copy = replica(4, false);
    copy.applyUpdate(then.toDoc(a, replica(6, false)).encodeStateAsUpdate());
    copy.applyUpdate(collected.encodeStateAsUpdate());
    List<byte[]> fromCopy = new ArrayList<>();
    copy.onUpdate((u, origin, txn) -> fromCopy.add(u));
    then.restore(copy);
    fromCopy.forEach(collected::applyUpdate);

    toB.clear();
    then.restore(a);
    toB.forEach(b::applyUpdate);

    for (Doc d : List.of(a, b, collected, copy)) {
      assertThat(YjsInterop.difference("content after the restore", expected.toJson(), d.toJson())).isNull();
      assertThat(d.getText("t").toDelta()).isEqualTo(expected.getText("t").toDelta());
      DocInvariants.check(d);
    }
  }

  private static Doc replica(long clientId, boolean gc) {
    Doc d = Doc.newBuilder().clientId(clientId).gc(gc).build();
    d.getText("t");
    d.getArray("a");
    d.getMap("m");
    return d;
  }

  private static void edit(SplittableRandom rnd, RandomEdits edits, Doc a, Doc b, Doc collected) {
    Doc d = rnd.nextBoolean() ? a : b;
    YjsInterop.apply(d, edits.randomOp(d));
    if (rnd.nextInt(3) == 0) {
      sync(a, b);
    }
    if (rnd.nextInt(4) == 0) {
      sync(a, collected);
    }
  }

  private static void sync(Doc x, Doc y) {
    x.applyUpdate(y.encodeStateAsUpdate(x.encodeStateVector()));
    y.applyUpdate(x.encodeStateAsUpdate(y.encodeStateVector()));
  }
}
