package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;

/**
 * {@link Updates#wouldChange} against the real thing: for updates of replicas that edited (or only deleted) apart
 * from a document, its answer must be what applying the update to a copy of the document shows; and {@link
 * Updates#holdsAll}, read from the document's state alone, must answer the same.
 */
class UpdatesWouldChangePropertyTest {
  private static final long BASE_SEED = Long.getLong("collab.seed", 0xC0FFEEL);

  private static void randomEdit(Doc doc, SplittableRandom rnd, boolean deleteOnly) {
    YText t = doc.getText("t");
    int length = t.length();
    if (length > 0 && (deleteOnly || rnd.nextInt(3) == 0)) {
      int at = rnd.nextInt(length);
      t.delete(at, 1 + rnd.nextInt(Math.min(4, length - at)));
    } else if (!deleteOnly) {
      t.insert(rnd.nextInt(length + 1), "abcdefgh".substring(rnd.nextInt(8)));
    }
  }

  private static Doc copy(Doc doc, long client) {
    Doc copy = Doc.newBuilder().clientId(client).build();
    copy.applyUpdate(doc.encodeStateAsUpdate());
    return copy;
  }

  @RepeatedTest(200)
  void wouldChange_agreesWithApplying(RepetitionInfo info) {
    long seed = BASE_SEED + info.getCurrentRepetition();
    SplittableRandom rnd = new SplittableRandom(seed);
    Doc server = Doc.newBuilder().clientId(1).build();
    for (int i = rnd.nextInt(1, 10); i > 0; i--) {
      randomEdit(server, rnd, false);
    }
    Doc replica = copy(server, 2);
    List<byte[]> replicaUpdates = new ArrayList<>();
    replica.onUpdate((u, o, t) -> replicaUpdates.add(u));
    boolean deleteOnly = rnd.nextBoolean();
    for (int i = rnd.nextInt(0, 5); i > 0; i--) {
      randomEdit(replica, rnd, deleteOnly);
    }
    for (int i = rnd.nextInt(0, 5); i > 0; i--) {
      randomEdit(server, rnd, rnd.nextBoolean());
    }
    List<byte[]> candidates = new ArrayList<>(replicaUpdates);
    candidates.add(replica.encodeStateAsUpdate(server.encodeStateVector()));
    candidates.add(replica.encodeStateAsUpdate());
    candidates.add(server.encodeStateAsUpdate(replica.encodeStateVector()));
    for (byte[] update : candidates) {
      byte[] before = server.encodeStateAsUpdate();
      boolean predicted = Updates.wouldChange(update, server);
      assertThat(Updates.holdsAll(before, List.of(update))).as("seed %d: holdsAll from the state's bytes", seed)
          .isEqualTo(!predicted);
      assertThat(server.encodeStateAsUpdate()).as("seed %d: wouldChange changed the document", seed)
          .isEqualTo(before);
      Doc applied = copy(server, 3);
      applied.applyUpdate(update);
      boolean changed = !java.util.Arrays.equals(applied.encodeStateAsUpdate(), before);
      assertThat(predicted).as("seed %d", seed).isEqualTo(changed);
    }
  }
}
