package ai.candlefish.collab.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.core.Subscription;
import ai.candlefish.collab.core.Updates;
import ai.candlefish.collab.core.YText;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A batch merged in groups ({@link StoreWriter#mergeInGroups}) is the same update as the batch merged at once, for
 * seeded random batches of what a server's document emits: its update events while a few clients insert, delete
 * and set map entries, each client on a replica of its own that has seen a random part of the others' edits.
 */
class StoreWriterPropertyTest {
  private static final int CLIENTS = 5;

  @Test
  void mergeInGroups_isTheBatchMergedAtOnce() {
    long seed = new Random().nextLong();
    Random random = new Random(seed);
    for (int round = 0; round < 30; round++) {
      Doc server = Doc.create();
      List<byte[]> batch = new ArrayList<>();
      Subscription emitted = server.onUpdate((update, origin, txn) -> batch.add(update));
      Doc[] clients = new Doc[CLIENTS];
      for (int c = 0; c < CLIENTS; c++) {
        clients[c] = Doc.newBuilder().clientId(100L + c).build();
      }
      int edits = random.nextInt(StoreWriter.MERGE_GROUP * StoreWriter.MERGE_GROUP / 2);
      for (int e = 0; e < edits; e++) {
        Doc client = clients[random.nextInt(CLIENTS)];
        if (random.nextInt(4) == 0) {
          // catch up with the server: what the others wrote meanwhile
          client.applyUpdate(Updates.diff(server.encodeStateAsUpdate(), client.encodeStateVector()));
        }
        List<byte[]> own = new ArrayList<>();
        Subscription edit = client.onUpdate((update, origin, txn) -> own.add(update));
        YText text = client.getText("t");
        int kind = random.nextInt(5);
        if (kind == 0 && text.length() > 0) {
          int at = random.nextInt(text.length());
          text.delete(at, 1 + random.nextInt(Math.min(3, text.length() - at)));
        } else if (kind == 1) {
          client.getMap("m").set("k" + random.nextInt(4), random.nextInt(100));
        } else {
          text.insert(random.nextInt(text.length() + 1), "abc".substring(random.nextInt(3)));
        }
        edit.close();
        own.forEach(server::applyUpdate);
      }
      emitted.close();
      if (batch.isEmpty()) {
        continue;
      }
      assertThat(StoreWriter.mergeInGroups(batch)).as("seed %d, round %d, %d pieces", seed, round, batch.size())
          .isEqualTo(Updates.merge(batch));
    }
  }
}
