package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A transaction's update (v1 and v2) is the same bytes as the reference walk writes: every client of the document,
 * each compared with the transaction's before-state, as Yjs's {@code writeStructsFromTransaction} does. The writer
 * looks only at the clients the transaction (and those its observers started) added to; this checks that nothing
 * else could have moved. Replicas with many client ids (small and large, so that their varints differ) edit, receive
 * each other's updates in random order (pending structs of several clients integrate in one transaction), and write
 * from observers (transactions queued behind the one being encoded).
 *
 * <p>Seeded; a failure names its seed ({@code -Dupdate.writer.seed=<seed> -Dupdate.writer.runs=1} reruns it).
 */
class UpdateWriterPropertyTest {
  private static final int RUNS = 1_000;
  private static final long BUDGET_MILLIS = 10_000;

  @Test
  void encodeTransaction_randomSessions_equalsTheWalkOverEveryClient() {
    SeededRuns.named("update.writer", 0x5E551_0A5L, RUNS).within(BUDGET_MILLIS)
        .forEach((seed, run) -> new Run(seed).execute());
  }

  private static final class Run {
    final SplittableRandom rnd;
    final RandomEdits edits;
    final List<Doc> replicas = new ArrayList<>();
    /** Every update any replica emitted, v1, in emission order. */
    final List<byte[]> log = new ArrayList<>();
    int compared;
    int reactions;

    Run(long seed) {
      rnd = new SplittableRandom(seed);
      edits = new RandomEdits(rnd, false, true);
    }

    void execute() {
      int count = 2 + rnd.nextInt(6);
      for (int i = 0; i < count; i++) {
        long client = rnd.nextBoolean() ? 1 + rnd.nextInt(200) : rnd.nextLong(1L << 53);
        Doc doc = Doc.newBuilder().clientId(client + i).build(); // + i: distinct even when the draw repeats
        doc.onUpdate((u, origin, txn) -> {
          check(u, txn, UpdateFormat.V1);
          log.add(u);
        });
        doc.onUpdateV2((u, origin, txn) -> check(u, txn, UpdateFormat.V2));
        if (rnd.nextBoolean()) {
          // Writes from inside the events: a transaction queued behind the one whose update is written.
          doc.getText("t").observe(e -> {
            if (reactions < 200 && rnd.nextInt(3) == 0) {
              reactions++;
              doc.getArray("a").push(List.of(reactions));
            }
          });
        }
        replicas.add(doc);
      }
      for (int step = 0; step < 40; step++) {
        Doc doc = replicas.get(rnd.nextInt(replicas.size()));
        int dice = rnd.nextInt(10);
        if (dice < 5) {
          YjsInterop.apply(doc, edits.randomOp(doc));
        } else if (dice < 6) {
          doc.transact(txn -> {
            for (int i = 1 + rnd.nextInt(4); i > 0; i--) {
              YjsInterop.apply(doc, edits.randomOp(doc));
            }
          });
        } else if (dice < 8 && !log.isEmpty()) {
          doc.applyUpdate(log.get(rnd.nextInt(log.size()))); // out of order: may wait, then integrate with others
        } else {
          Doc from = replicas.get(rnd.nextInt(replicas.size()));
          byte[] state = from.encodeStateAsUpdate(doc.encodeStateVector());
          if (rnd.nextBoolean()) {
            doc.applyUpdate(state);
          } else {
            doc.applyUpdateV2(Updates.convertV1ToV2(state));
          }
        }
      }
      assertThat(compared).as("updates compared").isPositive();
    }

    void check(byte[] update, Transaction txn, UpdateFormat format) {
      byte[] expected = everyClientWalk(txn, format);
      if (!Arrays.equals(update, expected)) {
        throw new AssertionError(format + " update of a transaction differs from the walk over every client:\n  "
            + YjsInterop.base64(update) + "\n  " + YjsInterop.base64(expected));
      }
      compared++;
    }
  }

  /** The reference: the walk over every client of the store, as the writer did before it looked at added ones only. */
  private static byte[] everyClientWalk(Transaction txn, UpdateFormat format) {
    UpdateEncoder encoder = format.newEncoder();
    StructStore store = txn.doc.store;
    List<Long> clients = new ArrayList<>();
    for (int c = 0; c < store.clientCount(); c++) {
      long client = store.clientAt(c);
      if (store.listAt(c).state() > txn.beforeState(client) || txn.isNewWithoutClock(client)) {
        clients.add(client);
      }
    }
    clients.sort((a, b) -> Long.compare(b, a));
    encoder.writeVarUint(clients.size());
    for (long client : clients) {
      StructList structs = store.list(client);
      if (txn.startedWithItemOfLength0(client)) {
        UpdateWriter.writeStructs(encoder, structs, client, structs.get(0).clock, 0);
      } else {
        int clock = Math.max(txn.beforeState(client), structs.get(0).clock);
        UpdateWriter.writeStructs(encoder, structs, client, clock, structs.findIndexNearEnd(clock));
      }
    }
    UpdateWriter.writeDeletions(encoder, txn);
    return encoder.toByteArray();
  }
}
