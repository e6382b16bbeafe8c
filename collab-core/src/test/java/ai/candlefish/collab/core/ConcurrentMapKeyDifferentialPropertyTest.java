package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Differential test against real Yjs for many clients setting the same map keys concurrently (crdt-benchmarks B3's
 * shape, where YATA orders a key's concurrent values by client id): tens to hundreds of clients, their ids random
 * (small and large), ascending or descending; first sets of a key, later sets and deletions by clients that had seen
 * part of the history, nested maps that deletion lets the garbage collector take, a second key. All updates reach a
 * Java document and its Yjs twin in the same shuffled order, in batches of one transaction each (several conflicts of
 * one key in one transaction, some of them waiting for updates later in the batch); after every batch the update
 * events must be Yjs's bytes, and at the end the content, state vector and encoded state. Clients also insert at
 * the start of an array and a text they saw empty (B3.4, B3.5: the same conflict at the start of a list), and later
 * insert anywhere and delete there.
 *
 * <p>Seeded and bounded in time; a failure names its seed: rerun it with {@code -Dmapkey.diff.seed=<seed>
 * -Dmapkey.diff.runs=1}.
 */
@ExtendWith(YjsPeerExtension.class)
class ConcurrentMapKeyDifferentialPropertyTest {
  private static final int RUNS = 40;
  private static final long BUDGET_MILLIS = 15_000;

  private static YjsPeer peer; // started and closed by YjsPeerExtension

  @Test
  void manyClientsSettingOneKey_appliedInBatches_matchYjsByteForByte() {
    SeededRuns.named("mapkey.diff", 0xB3_1L, RUNS).within(BUDGET_MILLIS)
        .forEach((seed, run) -> new Run(seed, "mk" + run).execute());
  }

  private static final class Run {
    private final SplittableRandom rnd;
    private final String id;
    private final boolean gc;

    Run(long seed, String id) {
      this.rnd = new SplittableRandom(seed);
      this.id = id;
      this.gc = rnd.nextInt(3) != 0;
    }

    void execute() {
      List<Doc> clients = new ArrayList<>();
      List<byte[]> updates = new ArrayList<>();
      for (long clientId : clientIds()) {
        Doc d = Doc.newBuilder().clientId(clientId).gc(gc).build();
        d.onUpdate((u, origin, txn) -> {
          if (txn.isLocal()) {
            updates.add(u.clone());
          }
        });
        clients.add(d);
      }
      // First sets: every client sets a key it has never seen (no origin), most of them the same key.
      for (Doc d : clients) {
        int dice = rnd.nextInt(10);
        if (dice < 6) {
          set(d, rnd.nextInt(8) == 0 ? "j" : "k");
        } else if (dice < 8) {
          insertIntoList(d, true);
        }
      }
      // Later rounds: a client that saw part of the history sets or deletes again (its item has an origin).
      for (int round = rnd.nextInt(3); round > 0; round--) {
        List<byte[]> seen = List.copyOf(updates);
        for (Doc d : clients) {
          if (rnd.nextInt(4) == 0) {
            d.transact(txn -> {
              for (byte[] u : seen) {
                if (rnd.nextInt(3) != 0) {
                  d.applyUpdate(u);
                }
              }
            });
            String key = rnd.nextInt(8) == 0 ? "j" : "k";
            int dice = rnd.nextInt(8);
            if (dice < 2) {
              d.getMap("m").delete(key);
            } else if (dice < 5) {
              set(d, key);
            } else if (dice < 7) {
              insertIntoList(d, false);
            } else {
              YText text = d.getText("t");
              if (text.length() > 0) {
                int at = rnd.nextInt(text.length());
                text.delete(at, 1 + rnd.nextInt(Math.min(3, text.length() - at)));
              }
            }
          }
        }
      }
      shuffle(updates);

      Doc target = Doc.newBuilder().clientId(1).gc(gc).build();
      target.getText("t");
      target.getArray("a");
      target.getMap("m");
      List<byte[]> events = new ArrayList<>();
      target.onUpdate((u, origin, txn) -> events.add(u.clone()));
      peer.newDoc(id, 1, gc, TwinReplica.ROOTS);
      try {
        int at = 0;
        while (at < updates.size()) {
          int size = rnd.nextInt(4) == 0 ? updates.size() : 1 + rnd.nextInt(Math.max(1, updates.size() / 3));
          List<byte[]> batch = updates.subList(at, Math.min(updates.size(), at + size));
          at += batch.size();
          target.transact(txn -> batch.forEach(target::applyUpdate));
          peer.applyUpdatesInOneTransaction(id, batch);
          TwinReplica.assertSameEvents(id + " after a batch of " + batch.size(), events, peer.updates(id));
          events.clear();
        }
        assertThat(target.hasPendingUpdates()).as("pending").isEqualTo(peer.hasPending(id)).isFalse();
        var snapshot = peer.snapshot(id, TwinReplica.ROOTS);
        assertThat(YjsInterop.rootDifferences(target, new LinkedHashMap<>(TwinReplica.ROOTS),
            YjsInterop.asMap(snapshot.get("values")), YjsInterop.asMap(snapshot.get("deltas")))).isEmpty();
        assertThat(YjsInterop.base64(target.encodeStateVector())).as("state vector")
            .isEqualTo(YjsInterop.base64(peer.encodeStateVector(id)));
        assertThat(YjsInterop.base64(target.encodeStateAsUpdate())).as("encoded state")
            .isEqualTo(YjsInterop.base64(peer.encodeStateAsUpdate(id, null)));
      } finally {
        peer.drop(id);
      }
    }

    /** Distinct ids: random small or large ones, or a run ascending or descending in creation order. */
    private List<Long> clientIds() {
      int n = 2 + rnd.nextInt(rnd.nextBoolean() ? 12 : 250);
      int mode = rnd.nextInt(4);
      List<Long> ids = new ArrayList<>();
      while (ids.size() < n) {
        long next = switch (mode) {
          case 0 -> rnd.nextLong(2, 4L * n + 3);
          case 1 -> rnd.nextLong(2, 1L << 32);
          case 2 -> 1000 + ids.size() * (1 + rnd.nextLong(5));
          default -> 100_000 - ids.size() * (1 + rnd.nextLong(5));
        };
        if (!ids.contains(next)) {
          ids.add(next);
        }
      }
      return ids;
    }

    private void set(Doc d, String key) {
      YMap map = d.getMap("m");
      switch (rnd.nextInt(4)) {
        case 0 -> map.set(key, rnd.nextInt(1000));
        case 1 -> map.set(key, "v" + rnd.nextInt(1000));
        case 2 -> d.transact(txn -> map.set(key, new YMap()).set("inner", rnd.nextInt(10)));
        default -> map.set(key, rnd.nextBoolean());
      }
    }

    /** Inserts into the array or the text: at the start, or anywhere. */
    private void insertIntoList(Doc d, boolean atStart) {
      if (rnd.nextBoolean()) {
        YArray array = d.getArray("a");
        int at = atStart ? 0 : rnd.nextInt(array.length() + 1);
        array.insert(at, rnd.nextBoolean() ? List.of(rnd.nextInt(100)) : List.of("x" + rnd.nextInt(100), 7));
      } else {
        YText text = d.getText("t");
        int at = atStart ? 0 : rnd.nextInt(text.length() + 1);
        text.insert(at, "abcdef".substring(rnd.nextInt(6)));
      }
    }

    private void shuffle(List<byte[]> list) {
      for (int i = list.size() - 1; i > 0; i--) {
        int j = rnd.nextInt(i + 1);
        byte[] t = list.get(i);
        list.set(i, list.get(j));
        list.set(j, t);
      }
    }
  }
}
